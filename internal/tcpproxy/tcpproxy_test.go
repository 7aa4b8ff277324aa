package tcpproxy

import (
	"bufio"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// echoServer answers each line with the same line, until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			})
		}
	})
	return ln.Addr().String()
}

// roundTrip sends a line over c and reads it back.
func roundTrip(c net.Conn, line string) (string, error) {
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	return got[:len(got)-1], nil
}

func TestCutClosesAndRefusesRestoreServesAgain(t *testing.T) {
	p, err := Start(echoServer(t))
	require.NoError(t, err)
	defer p.Close()

	before, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer before.Close()
	got, err := roundTrip(before, "hello")
	require.NoError(t, err)
	require.Equal(t, "hello", got)

	p.Cut()
	_, err = roundTrip(before, "during")
	require.Error(t, err, "an open connection is closed by the cut")
	_, err = net.DialTimeout("tcp", p.Addr(), time.Second)
	require.Error(t, err, "a new connection is refused during the cut")
	p.Cut() // cutting twice is harmless

	require.NoError(t, p.Restore())
	require.NoError(t, p.Restore(), "restoring twice is harmless")
	after, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer after.Close()
	got, err = roundTrip(after, "again")
	require.NoError(t, err)
	require.Equal(t, "again", got)
}

func TestUnreachableTargetClosesTheClient(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	target := dead.Addr().String()
	dead.Close()
	p, err := Start(target)
	require.NoError(t, err)
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err, "the proxy itself accepts")
	defer c.Close()
	_, err = roundTrip(c, "anyone?")
	require.Error(t, err, "then closes the connection it cannot forward")
}

func TestManyConnectionsAllCut(t *testing.T) {
	p, err := Start(echoServer(t))
	require.NoError(t, err)
	defer p.Close()
	conns := make([]net.Conn, 20)
	for i := range conns {
		conns[i], err = net.Dial("tcp", p.Addr())
		require.NoError(t, err)
		defer conns[i].Close()
		_, err = roundTrip(conns[i], "x")
		require.NoError(t, err)
	}
	p.Cut()
	for _, c := range conns {
		_, err := roundTrip(c, "y")
		require.Error(t, err)
	}
	p.mu.Lock()
	require.Empty(t, p.conns, "nothing left to close")
	p.mu.Unlock()
}
