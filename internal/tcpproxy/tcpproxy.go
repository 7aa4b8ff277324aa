// Package tcpproxy is a TCP proxy that tests cut and restore, to see what relance does
// when a dependency such as PostgreSQL goes away and comes back: a cut closes every
// connection and refuses new ones, as a stopped server does; a restore listens again on
// the same address.
package tcpproxy

import (
	"io"
	"net"
	"sync"
)

// Proxy forwards the connections it accepts on Addr to a target address.
type Proxy struct {
	addr, target string

	mu    sync.Mutex
	ln    net.Listener          // nil while cut
	conns map[net.Conn]struct{} // both ends of every open forwarded connection
	wg    sync.WaitGroup        // accept loops and copies still running
}

// Start listens on a free port of 127.0.0.1 and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serve(ln)
	return p, nil
}

// Addr is the host:port clients connect to; it stays the same across cuts.
func (p *Proxy) Addr() string { return p.addr }

// Cut closes every forwarded connection and stops listening, so that new connections are
// refused. Cutting a cut proxy does nothing.
func (p *Proxy) Cut() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Restore listens again on the same address. Restoring a proxy that is not cut does nothing.
func (p *Proxy) Restore() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return err
	}
	p.serve(ln)
	return nil
}

// Close cuts the proxy for good.
func (p *Proxy) Close() { p.Cut() }

// serve accepts connections on ln until it is closed; p.mu must be held.
func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return // closed by Cut
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(ln, client)
			}()
		}
	}()
}

// forward copies both ways between client and a new connection to the target, until
// either side closes or the proxy is cut.
func (p *Proxy) forward(ln net.Listener, client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(ln, client, server) {
		_ = client.Close()
		_ = server.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	// One side is gone: close both, so that the other copy ends too.
	p.untrack(client, server)
	<-done
}

// track registers a connection's two ends, unless the listener that accepted it was cut
// meanwhile (then Cut has already closed the others and would miss these).
func (p *Proxy) track(ln net.Listener, conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != ln {
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}
