package web

import (
	"bytes"
	"errors"

	"github.com/gorilla/securecookie"
)

// sidSerializer encodes the session cookie's one value, the session id, as
// itself. securecookie's default gob encoding builds a decoder with its type
// information for every request, which cost more than the session's
// database lookup; cookies it wrote before are still read, so upgrading
// signs nobody out.
type sidSerializer struct{}

// sidPrefix marks this encoding; a gob stream never starts with it.
var sidPrefix = []byte("sid1:")

func (sidSerializer) Serialize(src any) ([]byte, error) {
	// Empty when signing out.
	m, ok := src.(map[any]any)
	sid, isString := m[sidKey].(string)
	if !ok || len(m) > 1 || len(m) == 1 && !isString {
		return nil, errors.New("web: the session cookie holds only the session id")
	}
	return append(bytes.Clone(sidPrefix), sid...), nil
}

func (sidSerializer) Deserialize(src []byte, dst any) error {
	m, ok := dst.(*map[any]any)
	if !ok {
		return errors.New("web: session cookie: unexpected destination")
	}
	sid, ok := bytes.CutPrefix(src, sidPrefix)
	if !ok {
		return securecookie.GobEncoder{}.Deserialize(src, dst)
	}
	if *m == nil {
		*m = map[any]any{}
	}
	(*m)[sidKey] = string(sid)
	return nil
}
