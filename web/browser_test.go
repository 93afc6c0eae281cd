package web_test

// Browser tests: what only a browser shows (text selection in the reader,
// htmx swaps, the queue's keyboard, the history growing), driven in
// Debian's headless Chromium with chromedp against the real server on a
// real SQLite file.
//
// One browser serves the whole test binary; each test gets fresh tabs in
// browser contexts of their own, so cookies never leak between users.
// Every step runs under a timeout, so a hang fails instead of blocking.
//
// With no Chromium installed the tests skip, unless CI or
// VETTED_BROWSER_TESTS=1 is set: then they fail, because CI must not pass
// by skipping. `.ci/deps` (as root) installs it.
//
// VETTED_SCREENSHOTS=1 also writes the screenshots under docs/screenshots/,
// which the README shows; ordinary runs take them but write nothing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"vetted/review"
)

const (
	browserStartTimeout = 30 * time.Second
	stepTimeout         = 30 * time.Second
	desktopWidth        = 1280
	desktopHeight       = 900
)

// chrome is the browser every browser test shares, started on first use.
var chrome struct {
	once sync.Once
	ctx  context.Context // the browser's first tab: parent of every test's tab
	stop func()
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
	}
	os.Exit(code)
}

// findChromium returns the path of a Chromium-like browser, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func startBrowser(path string) error {
	dir, err := os.MkdirTemp("", "vetted-chromium-")
	if err != nil {
		return err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	stop := func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	// The first Do starts the browser and binds its life to the context it
	// is given, so it gets no timeout of its own: wait for it here instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }()
	select {
	case err = <-started:
	case <-time.After(browserStartTimeout):
		err = fmt.Errorf("the browser did not start within %v", browserStartTimeout)
	}
	if err != nil {
		stop()
		return err
	}
	chrome.ctx, chrome.stop = bctx, stop
	return nil
}

// tab is one browser tab of a test, in a browser context of its own.
type tab struct {
	t      *testing.T
	ctx    context.Context
	width  int64 // of the emulated viewport
	height int64
	mobile bool
	mu     sync.Mutex
	log    []chromedp.ConsoleMessage
}

// viewport sets the size of the page, and whether it is a phone's.
func (tb *tab) viewport(width, height int64, mobile bool) {
	tb.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	tb.do(chromedp.EmulateViewport(width, height, opts...))
	tb.width, tb.height, tb.mobile = width, height, mobile
}

// newTab opens a tab in a fresh browser context (its own cookies) at
// desktop size. It skips or fails the test when there is no browser.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := findChromium()
	if path == "" {
		msg := "no Chromium found (looked for chromium, chromium-browser, google-chrome): run .ci/deps as root to install Debian's chromium"
		if os.Getenv("CI") != "" || os.Getenv("VETTED_BROWSER_TESTS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set VETTED_BROWSER_TESTS=1 to make this a failure)")
	}
	chrome.once.Do(func() { chrome.err = startBrowser(path) })
	if chrome.err != nil {
		t.Fatalf("starting %s: %v", path, chrome.err)
	}
	ctx, cancel := chromedp.NewContext(chrome.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx, chromedp.EmulateViewport(desktopWidth, desktopHeight)) }()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("opening a tab: %v", err)
		}
	case <-time.After(stepTimeout):
		t.Fatalf("opening a tab took more than %v", stepTimeout)
	}
	tb := &tab{t: t, ctx: ctx, width: desktopWidth, height: desktopHeight}
	// Uncaught exceptions fail the test; other console errors (a refused
	// CSP, a failed request) are logged.
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning {
				tb.mu.Lock()
				tb.log = append(tb.log, m)
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, m := range tb.log {
			if m.IsException() {
				t.Errorf("uncaught exception in the page: %s at %s:%d", m.Text, m.URL, m.Line+1)
			} else {
				t.Logf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
			}
		}
	})
	return tb
}

// fail ends the test with what the page showed, to tell why.
func (tb *tab) fail(format string, args ...any) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
	tb.t.Fatalf("%s\n  at %s\n  page text: %q", fmt.Sprintf(format, args...), where, body)
}

// do runs steps under the step timeout.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	defer tb.slow(time.Now(), "steps")
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fail("browser: %v", err)
	}
}

// slow logs a step that took long, to tell where the time goes.
func (tb *tab) slow(start time.Time, what string) {
	tb.t.Helper()
	if d := time.Since(start); d > time.Second {
		tb.t.Logf("slow %s: %v", what, d.Round(time.Millisecond))
	}
}

// get runs one action that returns a value, under the step timeout.
func get[T any](tb *tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	defer tb.slow(time.Now(), "action")
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail("browser: %v", err)
	}
	return v
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	return get(tb, chromedp.Evaluate[T](js))
}

// navigating runs steps that load a new page (a link, a form, a key) and
// returns the response of the page that loads, after any redirect.
func (tb *tab) navigating(steps ...chromedp.Action[chromedp.Void]) *network.Response {
	tb.t.Helper()
	defer tb.slow(time.Now(), "page load")
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.fail("browser: waiting for a page to load: %v", err)
	}
	return res
}

// open loads a path of the test server and checks the status.
func (tb *tab) open(base, path string) {
	tb.t.Helper()
	res := tb.navigating(chromedp.Navigate(base + path))
	if res.Status != 200 {
		tb.fail("GET %s: status %d, want 200", path, res.Status)
	}
}

// byTestID selects elements by their data-testid.
func byTestID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// text is the visible text of the first element sel finds.
func (tb *tab) text(sel chromedp.CSS) string {
	tb.t.Helper()
	return strings.TrimSpace(get(tb, chromedp.Text(sel)))
}

// jsString quotes s for JavaScript source.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// login signs a demo user in through the form, as a person would.
func (tb *tab) login(base, name string) {
	tb.t.Helper()
	tb.open(base, "/login")
	tb.do(
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), name),
		chromedp.SendKeys(chromedp.ID("password"), demoPassword(name)),
	)
	res := tb.navigating(chromedp.Click(chromedp.CSS(`[data-testid="login-form"] button[type="submit"]`)))
	if res.Status != 200 {
		tb.fail("sign in as %s: status %d", name, res.Status)
	}
	if who := tb.text(byTestID("whoami")); !strings.HasPrefix(who, name) {
		tb.fail("signed in as %q, want %s", who, name)
	}
}

// waitJS waits until a JavaScript expression is true.
func (tb *tab) waitJS(what, js string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(25*time.Millisecond))); err != nil {
		tb.fail("waiting for %s: %v", what, err)
	}
}

var spaces = regexp.MustCompile(`\s+`)

func squash(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// ---- Reviewer: select a sentence, make a claim, flag it ----

// selectInReader selects sentence in the reader's text with a DOM Range
// over the text nodes it spans (any run of white space matches any other),
// then tells reader.js the way a mouse would. It returns what the
// selection holds.
const selectInReader = `(sentence) => {
	const root = document.querySelector('[data-testid="reader-text"]');
	if (!root) return "no reader-text";
	const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: n =>
		n.parentElement.closest("[data-noquote]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
	const nodes = [];
	let text = "";
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		nodes.push({n, at: text.length});
		text += n.data;
	}
	const words = sentence.trim().split(/\s+/).map(w => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
	const m = new RegExp(words.join("\\s+")).exec(text);
	if (!m) return "not found";
	const start = m.index, end = m.index + m[0].length;
	const place = (pos, isEnd) => {
		for (const {n, at} of nodes) {
			const len = n.data.length;
			if (isEnd ? (pos > at && pos <= at + len) : (pos >= at && pos < at + len)) return [n, pos - at];
		}
		return null;
	};
	const [sn, so] = place(start, false), [en, eo] = place(end, true);
	const range = document.createRange();
	range.setStart(sn, so);
	range.setEnd(en, eo);
	const sel = window.getSelection();
	sel.removeAllRanges();
	sel.addRange(range);
	const box = range.getBoundingClientRect();
	const at = {bubbles: true, cancelable: true, view: window, clientX: box.right, clientY: box.bottom, button: 0};
	const target = en.parentElement;
	target.dispatchEvent(new MouseEvent("mousedown", at));
	target.dispatchEvent(new MouseEvent("mouseup", at));
	document.dispatchEvent(new Event("selectionchange"));
	return sel.toString();
}`

// freshSentence is a sentence of the demo edition that no demo claim
// quotes, for the reviewer to claim.
const freshSentence = "The media situation in the country is dire."

func TestBrowserReviewerClaimsAndFlags(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	tb := newTab(t)
	tb.login(ts.URL, "rey")

	tb.open(ts.URL, "/reports/azerbaijan/editions/2021")
	tb.do(chromedp.WaitVisible(byTestID("reader-text")))
	if n := eval[int](tb, `document.querySelectorAll('[data-testid="claim-mark"]').length`); n == 0 {
		tb.fail("the reader highlights no claim; the demo has many")
	}
	// The sentence must be one no claim covers yet: the page lists it as
	// new material, and no highlight holds it.
	listed := eval[bool](tb, `[...document.querySelectorAll('[data-testid="new-material"] .sentence')].some(s => s.textContent.trim() === `+jsString(freshSentence)+`)`)
	covered := eval[bool](tb, `[...document.querySelectorAll('[data-testid="claim-highlight"]')].some(m => m.textContent.includes("media situation in the country"))`)
	if !listed || covered {
		tb.fail("%q is not free to claim in the demo (in new material: %v, highlighted: %v): pick another sentence", freshSentence, listed, covered)
	}

	got := eval[string](tb, "("+selectInReader+")("+jsString(freshSentence)+")")
	if squash(got) != freshSentence {
		tb.fail("selected %q, want %q", got, freshSentence)
	}
	tb.do(chromedp.WaitVisible(byTestID("new-claim-form")))
	form := `[data-testid="new-claim-form"] `
	tb.waitJS("the quote to be filled from the selection",
		`(document.querySelector('`+form+`[name="quote"]') || {}).value === `+jsString(freshSentence))

	statement := "Azerbaijan's media situation is dire"
	tb.do(
		chromedp.SendKeys(chromedp.CSS(form+`[name="statement"]`), statement),
		chromedp.SetValue(chromedp.CSS(form+`[name="confidence"]`), "moderate"),
		chromedp.SetValue(chromedp.CSS(form+`[name="source_title"]`), "Global Organized Crime Index 2021: Azerbaijan"),
		chromedp.SetValue(chromedp.CSS(form+`[name="reliability"]`), "B"),
		chromedp.SetValue(chromedp.CSS(form+`[name="credibility"]`), "2"),
	)
	res := tb.navigating(chromedp.Click(byTestID("save-claim")))
	if res.Status != 200 {
		tb.fail("saving the claim: status %d", res.Status)
	}
	loc := get(tb, chromedp.Location())
	m := regexp.MustCompile(`/claims/(\d+)(\?|$)`).FindStringSubmatch(loc)
	if m == nil {
		tb.fail("after saving, at %s, want the claim page /claims/N", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if got := tb.text(byTestID("statement")); got != statement {
		tb.fail("claim page statement %q, want %q", got, statement)
	}
	if got := tb.text(byTestID("state")); got != "pending" {
		tb.fail("new claim state %q, want pending", got)
	}
	if got := squash(tb.text(byTestID("quote"))); !strings.Contains(got, freshSentence) {
		tb.fail("claim page quote %q does not hold %q", got, freshSentence)
	}
	c, err := ts.DB.FindClaim(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Latest.Statement != statement || c.Latest.Author != "rey" || c.Latest.State != review.StatePending {
		t.Fatalf("stored claim %d: %q by %s, %s; want %q by rey, pending", id, c.Latest.Statement, c.Latest.Author, c.Latest.State, statement)
	}
	if squash(c.Anchor.Exact) != freshSentence {
		t.Fatalf("stored claim %d anchored to %q, want %q", id, c.Anchor.Exact, freshSentence)
	}

	// Raise a flag: htmx swaps the flags section in place, so a marker set
	// on the window before the submit survives.
	reason := "The report cites no source for this."
	tb.do(
		chromedp.Evaluate[chromedp.Void](`window.vettedNoReload = "kept"`),
		chromedp.SetValue(chromedp.ID("flag-kind"), string(review.FlagUnverified)),
		chromedp.SendKeys(chromedp.ID("flag-reason"), reason),
		chromedp.Click(chromedp.CSS(`[data-testid="flag-form"] button[type="submit"]`)),
	)
	tb.waitJS("the flag to be listed",
		`[...document.querySelectorAll('[data-testid="flags"] [data-testid="flag"]')].some(f => f.textContent.includes(`+jsString(reason)+`))`)
	if kept := eval[string](tb, `String(window.vettedNoReload)`); kept != "kept" {
		tb.fail("raising a flag reloaded the page (marker %q): want an htmx swap", kept)
	}
	if got := eval[string](tb, `document.getElementById("flag-reason").value`); got != "" {
		tb.fail("the flag form still holds %q after the swap, want an empty form", got)
	}
	c, err = ts.DB.FindClaim(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Flags) != 1 || c.Flags[0].Kind != review.FlagUnverified || c.Flags[0].Reason != reason || c.Flags[0].RaisedBy != "rey" {
		t.Fatalf("stored flags of claim %d = %+v, want one unverified flag by rey", id, c.Flags)
	}
}

// ---- Editor: the queue with the keyboard alone ----

// queueItem is what the test reads of one queue item.
type queueItem struct {
	Kind     string `json:"kind"`
	Own      string `json:"own"`
	Approve  bool   `json:"approve"`
	Selected bool   `json:"selected"`
	Focused  bool   `json:"focused"`
}

const readQueue = `[...document.querySelectorAll('[data-queue] .queue-item')].map(x => ({
	kind: (x.querySelector('.kind') || {textContent: ""}).textContent.trim(),
	own: (x.querySelector('[data-testid="own-revision"]') || {textContent: ""}).textContent.trim(),
	approve: !!x.querySelector('form.approve'),
	selected: x.classList.contains('selected'),
	focused: document.activeElement === x,
}))`

func (tb *tab) queue() []queueItem {
	tb.t.Helper()
	return eval[[]queueItem](tb, readQueue)
}

func selectedIndex(items []queueItem) int {
	for i, it := range items {
		if it.Selected {
			return i
		}
	}
	return -1
}

// press types keys on the page, wherever the focus is, and checks which
// queue item is selected then.
func (tb *tab) press(keys string, wantSelected int) []queueItem {
	tb.t.Helper()
	tb.do(chromedp.KeyEvent(keys))
	items := tb.queue()
	if got := selectedIndex(items); got != wantSelected {
		tb.fail("after %q the selected item is %d, want %d", keys, got, wantSelected)
	}
	if !items[wantSelected].Focused {
		tb.fail("after %q the selected item %d does not have the focus", keys, wantSelected)
	}
	return items
}

func TestBrowserEditorQueueKeyboard(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	ctx := context.Background()

	// A revision eda wrote herself waits in the queue too.
	eda, err := ts.DB.FindUserByName(ctx, "eda")
	if err != nil {
		t.Fatal(err)
	}
	cs, _, err := ts.DB.FindClaims(ctx, review.ClaimFilter{State: review.StateApproved, Limit: 1})
	if err != nil || len(cs) == 0 {
		t.Fatalf("no approved demo claim: %v", err)
	}
	base, err := ts.DB.FindClaim(ctx, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	own, err := ts.DB.ProposeRevision(ctx, eda, review.NewRevision{ClaimID: base.ID, BaseID: review.Head(base.Revisions),
		Statement: base.Latest.Statement + " (as eda reads it)", Confidence: base.Latest.Confidence, Reason: "Tighter wording."})
	if err != nil {
		t.Fatal(err)
	}
	ownKind := fmt.Sprintf("Revision %d", own.ID)

	tb := newTab(t)
	tb.login(ts.URL, "eda")
	tb.open(ts.URL, "/queue")
	tb.do(chromedp.WaitVisible(byTestID("queue")))

	items := tb.queue()
	if len(items) < 3 {
		tb.fail("the demo queue has %d items, want several", len(items))
	}
	if got := selectedIndex(items); got != 0 {
		tb.fail("on load item %d is selected, want the first", got)
	}
	tb.press("j", 1)
	tb.press("j", 2)
	tb.press("k", 1)
	tb.press("k", 0)
	tb.press("k", 0) // stays on the first

	// ? shows the keys, and hides them again.
	if !eval[bool](tb, `document.getElementById("queue-help").hidden`) {
		tb.fail("the key help shows before ? is pressed")
	}
	tb.do(chromedp.KeyEvent("?"), chromedp.WaitVisible(byTestID("queue-help")))
	if help := tb.text(byTestID("queue-help")); !strings.Contains(help, "approve the selected revision") {
		tb.fail("key help reads %q", help)
	}
	tb.do(chromedp.KeyEvent("?"), chromedp.WaitNotVisible(byTestID("queue-help")))

	// eda's own revision: the item says another editor must decide it, and
	// a does nothing.
	ownAt, target := -1, -1
	for i, it := range items {
		switch {
		case it.Kind == ownKind:
			ownAt = i
		case target < 0 && it.Approve && it.Own == "":
			target = i
		}
	}
	if ownAt < 0 || target < 0 {
		tb.fail("queue %+v: want eda's %s and a revision she may approve", items, ownKind)
	}
	items = tb.press(strings.Repeat("j", ownAt), ownAt)
	if it := items[ownAt]; !strings.Contains(it.Own, "another editor must decide it") || it.Approve {
		tb.fail("eda's own revision reads %+v, want 'another editor must decide it' and no approve form", it)
	}
	tb.do(chromedp.Evaluate[chromedp.Void](`window.vettedNoReload = "kept"`), chromedp.KeyEvent("a"), chromedp.Sleep(400*time.Millisecond))
	if kept := eval[string](tb, `String(window.vettedNoReload)`); kept != "kept" {
		tb.fail("a on eda's own revision left the page")
	}
	if r, err := ts.DB.FindRevision(ctx, own.ID); err != nil || r.State != review.StatePending || r.DecidedBy != "" {
		t.Fatalf("eda's own revision after a: %+v, %v; want pending, undecided", r, err)
	}

	// Back to a revision rey wrote: a approves it and the queue reloads
	// without it.
	keys := strings.Repeat("k", max(ownAt-target, 0)) + strings.Repeat("j", max(target-ownAt, 0))
	items = tb.press(keys, target)
	revID, err := strconv.ParseInt(strings.TrimPrefix(items[target].Kind, "Revision "), 10, 64)
	if err != nil {
		tb.fail("item %d is %q, want a revision", target, items[target].Kind)
	}
	res := tb.navigating(chromedp.KeyEvent("a"))
	if res.Status != 200 || !strings.Contains(res.URL, "/queue") {
		tb.fail("after a: %d %s, want the queue again", res.Status, res.URL)
	}
	if flash := tb.text(byTestID("flash")); !strings.Contains(flash, "approved") {
		tb.fail("flash %q, want the approval confirmed", flash)
	}
	after := tb.queue()
	if len(after) != len(items)-1 {
		tb.fail("the queue has %d items after approving, want %d", len(after), len(items)-1)
	}
	for _, it := range after {
		if it.Kind == items[target].Kind {
			tb.fail("revision %d is still in the queue after approving it", revID)
		}
	}
	r, err := ts.DB.FindRevision(ctx, revID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != review.StateApproved || r.DecidedBy != "eda" {
		t.Fatalf("revision %d is %s decided by %q, want approved by eda", revID, r.State, r.DecidedBy)
	}
	if r, err := ts.DB.FindRevision(ctx, own.ID); err != nil || r.State != review.StatePending {
		t.Fatalf("eda's own revision: %+v, %v; want still pending", r, err)
	}
}

// ---- Auditor: the history grows ----

type historyRow struct {
	Seq    string `json:"seq"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Entity string `json:"entity"`
}

const readHistory = `[...document.querySelectorAll('[data-testid="event"]')].map(r => ({
	seq: r.cells[0].textContent.trim(), actor: r.cells[2].textContent.trim(),
	action: r.cells[3].textContent.trim(), entity: r.cells[4].textContent.trim(),
}))`

// historyHead reads the head's sequence number and hash off the page.
func (tb *tab) historyHead() (int64, string) {
	tb.t.Helper()
	seq, err := strconv.ParseInt(tb.text(chromedp.CSS(`[data-testid="chain-head"] strong`)), 10, 64)
	if err != nil {
		tb.fail("head seq: %v", err)
	}
	return seq, tb.text(byTestID("head-hash"))
}

func TestBrowserAuditorSeesHistoryGrow(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	audrey := newTab(t)
	audrey.login(ts.URL, "audrey")
	audrey.open(ts.URL, "/history")
	audrey.do(chromedp.WaitVisible(byTestID("chain-ok")))
	seq0, hash0 := audrey.historyHead()
	if seq0 == 0 || len(hash0) < 32 {
		audrey.fail("head %d %q, want the demo's events", seq0, hash0)
	}
	if n := len(eval[[]historyRow](audrey, readHistory)); n == 0 {
		audrey.fail("the history lists no event")
	}

	// Meanwhile, in another tab, a reviewer adds a note (an htmx swap).
	rey := newTab(t)
	rey.login(ts.URL, "rey")
	rey.open(ts.URL, "/claims/1")
	note := "Corroboration might be found in court records of Baku city courts."
	rey.do(
		chromedp.SendKeys(chromedp.ID("note-body"), note),
		chromedp.Click(chromedp.CSS(`[data-testid="note-form"] button[type="submit"]`)),
	)
	rey.waitJS("the note to be listed",
		`[...document.querySelectorAll('[data-testid="notes"] [data-testid="note"]')].some(n => n.textContent.includes(`+jsString(note)+`))`)

	audrey.do(chromedp.Reload(), chromedp.WaitVisible(byTestID("chain-ok")))
	seq1, hash1 := audrey.historyHead()
	if seq1 <= seq0 || hash1 == hash0 {
		audrey.fail("after a change the head is %d %s, was %d %s: want it to grow", seq1, hash1, seq0, hash0)
	}
	// Newest first: the new event heads the first page.
	rows := eval[[]historyRow](audrey, readHistory)
	if len(rows) == 0 {
		audrey.fail("the history lists no event")
	}
	last := rows[0]
	if last.Seq != strconv.FormatInt(seq1, 10) || last.Action != "note.added" || !strings.HasPrefix(last.Actor, "rey") {
		audrey.fail("the last event is %+v, want event %d: note.added by rey", last, seq1)
	}
}

// ---- Screenshots of the main pages, for the README ----

// screenshot writes what the viewport shows of the current page to
// docs/screenshots/NAME.png when VETTED_SCREENSHOTS=1. Other runs take
// none: the committed files must not change with every test run. The
// viewport, not the whole page: full-page captures of the reader and the
// history were megabytes each, and the top of a page is what a reader of
// the README needs.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if os.Getenv("VETTED_SCREENSHOTS") != "1" {
		return
	}
	png := get(tb, chromedp.CaptureScreenshot())
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 5000 {
		tb.fail("screenshot %s: %d bytes, not a plausible PNG", name, len(png))
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// TestBrowserScreenshots checks the reader at phone width and, with
// VETTED_SCREENSHOTS=1, writes screenshots of the main pages at 1280 px
// (and the reader at 390 px) to docs/screenshots/ for the README.
func TestBrowserScreenshots(t *testing.T) {
	t.Parallel()
	shots := os.Getenv("VETTED_SCREENSHOTS") == "1"
	ts := MustServer(t)
	tabs := map[string]*tab{}
	as := func(user string) *tab {
		tb := tabs[user]
		if tb == nil {
			tb = newTab(t)
			tb.login(ts.URL, user)
			tabs[user] = tb
		}
		return tb
	}
	if shots {
		for _, y := range []string{"2021", "2023"} {
			if _, err := ts.DB.ImportScores(context.Background(), review.System, review.NewScoreSheet{Edition: y, Original: readSheet(t, y)}); err != nil {
				t.Fatal(err)
			}
		}
		// Work for rey's page and inbox.
		eda := mustUser(t, ts, "eda")
		for _, id := range []int64{1, 12, 29} {
			if _, err := ts.DB.Assign(context.Background(), eda, review.NewAssignment{ClaimID: id, Assignee: "rey"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ts.DB.AddNote(context.Background(), eda, review.NewNote{ClaimID: 1, Body: "@rey could you find a second source for this?"}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			user, name, path string
			ready            chromedp.CSS
		}{
			{"eda", "scores", "/reports/azerbaijan", byTestID("scores")},
			{"eda", "home", "/", byTestID("report-azerbaijan")},
			{"eda", "reader", "/reports/azerbaijan/editions/2021", byTestID("reader-text")},
			{"eda", "claim", "/claims/1", byTestID("claim")},
			{"eda", "claims-search", "/claims?q=caviar", byTestID("claims-table")},
			{"eda", "queue", "/queue", byTestID("queue")},
			{"audrey", "history", "/history", byTestID("history-table")},
			{"adam", "users", "/admin/users", byTestID("users-table")},
			{"rey", "my-work", "/my", byTestID("work-assigned")},
			{"rey", "inbox", "/notifications", byTestID("inbox")},
		} {
			tb := as(p.user)
			tb.open(ts.URL, p.path)
			tb.do(chromedp.WaitVisible(p.ready))
			tb.screenshot(p.name)
		}
	}

	// The reader on a phone: no sideways scrolling.
	tb := as("eda")
	tb.viewport(390, 844, true)
	tb.open(ts.URL, "/reports/azerbaijan/editions/2021")
	tb.do(chromedp.WaitVisible(byTestID("reader-text")))
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the reader is %d px wide on a 390 px phone: it scrolls sideways", w)
	}
	tb.screenshot("reader-phone")
}
