package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file served under a content-hashed name, so
// it can be cached for a year and still change with each release.
type asset struct {
	body        []byte
	contentType string
}

var (
	assets     = map[string]asset{}  // hashed name → file
	assetNames = map[string]string{} // plain name → hashed name
)

func init() {
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		assets[hashed] = asset{body: b, contentType: ct}
		assetNames[name] = hashed
		return nil
	})
	if err != nil {
		panic(err)
	}
}

// assetURL is the URL of a static file by its plain name.
func assetURL(name string) string {
	h, ok := assetNames[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + h
}

// handleStatic serves only names from the embedded set, so no path can
// reach anything else.
func handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}
