package review

import "context"

// A request's turn to compute (the web server's admission) is given back
// while the request waits for something other than the CPU, so that others
// compute meanwhile: WithTurn carries the function that gives it back, and
// Waiting calls it.

type turnKey struct{}

// WithTurn returns ctx carrying giveBack, which gives the request's turn
// back; it must be safe to call more than once.
func WithTurn(ctx context.Context, giveBack func()) context.Context {
	return context.WithValue(ctx, turnKey{}, giveBack)
}

// Waiting says that the caller is about to wait for something other than
// the CPU (the writer, another program's lock, a background check): the
// request's turn, if it holds one, is given back. The request goes on
// without one.
func Waiting(ctx context.Context) {
	if giveBack, ok := ctx.Value(turnKey{}).(func()); ok {
		giveBack()
	}
}
