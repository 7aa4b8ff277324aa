// Package notify delivers reminders and escalations to people: by e-mail over SMTP in
// production, to the log in development. The activities write every message to an outbox
// table first, so a message that could not be delivered is never lost.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Message is one notification. Recipient is "user:<subject>" for a person, or
// "role:<role>:<scope>" for everyone holding a role over a scope.
type Message struct {
	Recipient string
	Subject   string
	Body      string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes messages to the log: the development sender.
type LogSender struct{ Logger *slog.Logger }

// Send logs m.
func (s LogSender) Send(_ context.Context, m Message) error {
	s.Logger.Info("notification", "to", m.Recipient, "subject", m.Subject)
	return nil
}

// SMTPSender e-mails messages. A person's subject is used as the address when it is one;
// a role's messages go to that role's mailbox.
type SMTPSender struct {
	Addr          string // host:port of the SMTP relay
	From          string
	Auth          smtp.Auth         // nil for an open relay
	RoleMailboxes map[string]string // role → address, e.g. finance → finance@anct.gouv.fr
}

// Send e-mails m, failing when the recipient has no address.
func (s SMTPSender) Send(ctx context.Context, m Message) error {
	to, err := s.address(m.Recipient)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%s\r\n",
		s.From, to, m.Subject, time.Now().Format(time.RFC1123Z), m.Body)
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.Addr, s.Auth, s.From, []string{to}, []byte(msg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s SMTPSender) address(recipient string) (string, error) {
	kind, rest, _ := strings.Cut(recipient, ":")
	switch kind {
	case "user":
		if strings.Contains(rest, "@") {
			return rest, nil
		}
	case "role":
		role, _, _ := strings.Cut(rest, ":")
		if addr, ok := s.RoleMailboxes[role]; ok {
			return addr, nil
		}
	}
	return "", fmt.Errorf("no e-mail address for %s", recipient)
}

// ParseRoleMailboxes reads "finance=a@b,instructor=c@d".
func ParseRoleMailboxes(s string) (map[string]string, error) {
	out := map[string]string{}
	for pair := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		role, addr, ok := strings.Cut(pair, "=")
		if !ok || !strings.Contains(addr, "@") {
			return nil, fmt.Errorf("%q is not role=address", pair)
		}
		out[strings.TrimSpace(role)] = strings.TrimSpace(addr)
	}
	return out, nil
}

// HostPort checks an SMTP relay address.
func HostPort(addr string) error {
	_, _, err := net.SplitHostPort(addr)
	return err
}
