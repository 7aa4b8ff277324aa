package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// memOutbox is an in-memory outbox following the store's rules: a failed message stays
// pending until maxAttempts.
type memOutbox struct {
	mu    sync.Mutex
	items []models.Notification
}

const maxAttempts = 3

func (o *memOutbox) ClaimNotifications(_ context.Context, limit int) ([]models.Notification, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []models.Notification
	for _, n := range o.items {
		if n.Status == "pending" && len(out) < limit {
			out = append(out, n)
		}
	}
	return out, nil
}

func (o *memOutbox) MarkNotification(_ context.Context, id int64, err error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.items {
		n := &o.items[i]
		if n.ID != id {
			continue
		}
		n.Attempts++
		switch {
		case err == nil:
			n.Status = "sent"
		case n.Attempts >= maxAttempts:
			n.Status, n.Error = "failed", err.Error()
		}
	}
	return nil
}

func (o *memOutbox) statuses() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, n := range o.items {
		out = append(out, n.Status)
	}
	return out
}

type senderFunc func(Message) error

func (f senderFunc) Send(_ context.Context, m Message) error { return f(m) }

func TestDispatchDeliversAndRetries(t *testing.T) {
	outbox := &memOutbox{items: []models.Notification{
		{ID: 1, Recipient: "role:finance:national", Subject: "ok", Status: "pending"},
		{ID: 2, Recipient: "user:nobody", Subject: "bounces", Status: "pending"},
	}}
	var mu sync.Mutex
	tries := map[string]int{}
	sender := senderFunc(func(m Message) error {
		mu.Lock()
		defer mu.Unlock()
		tries[m.Subject]++
		if m.Subject == "bounces" {
			return errors.New("mailbox unavailable")
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		Dispatch(ctx, outbox, sender, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	require.Eventually(t, func() bool { return outbox.statuses()[1] == "failed" }, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	require.Equal(t, []string{"sent", "failed"}, outbox.statuses())
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, tries["ok"], "a sent message is not sent again")
	require.Equal(t, maxAttempts, tries["bounces"], "a failing message is retried, then given up")
}

// TestSMTPSenderSpeaksSMTP sends to a minimal SMTP server on loopback and reads what arrived.
func TestSMTPSenderSpeaksSMTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	received := make(chan string, 1)
	go serveOneMail(ln, received)

	s := SMTPSender{Addr: ln.Addr().String(), From: "relance@anct.gouv.fr", RoleMailboxes: map[string]string{"finance": "finance@anct.gouv.fr"}}
	require.NoError(t, s.Send(context.Background(), Message{Recipient: "role:finance:national", Subject: "Overdue: disbursement", Body: "Pay it."}))
	mail := <-received
	require.Contains(t, mail, "RCPT TO:<finance@anct.gouv.fr>")
	require.Contains(t, mail, "Subject: Overdue: disbursement")
	require.Contains(t, mail, "Pay it.")

	err = s.Send(context.Background(), Message{Recipient: "role:jury:jury:x", Subject: "x"})
	require.ErrorContains(t, err, "no e-mail address for role:jury:jury:x")
	_, err = ParseRoleMailboxes("finance=finance@anct.gouv.fr,oops")
	require.Error(t, err)
	boxes, err := ParseRoleMailboxes("finance=a@b.fr, instructor = c@d.fr")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"finance": "a@b.fr", "instructor": "c@d.fr"}, boxes)
}

// serveOneMail answers one SMTP session and sends the commands and data it received.
func serveOneMail(ln net.Listener, received chan<- string) {
	conn, err := ln.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	tp := textproto.NewConn(conn)
	var log strings.Builder
	_ = tp.PrintfLine("220 localhost ESMTP test")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		log.WriteString(line + "\n")
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 localhost")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, _ := tp.ReadDotLines()
			log.WriteString(strings.Join(data, "\n"))
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			received <- log.String()
			return
		default:
			_ = tp.PrintfLine("250 ok")
		}
	}
}
