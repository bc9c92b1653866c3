package dashboard

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// ClientLimit bounds the answers one client may have the server make: an
// answer none of the response caches holds (a chart image not drawn yet,
// an embed or a view of the page not made yet, the record's zip after a
// reload). Answers from the caches are never counted, so that any number
// of readers of the usual views share them freely; what one client asks
// to be made beyond the limit is refused with 429, while others go on
// being answered. A token bucket per client: Burst answers at once, then
// Rate a second.
type ClientLimit struct {
	Rate  float64 // answers a second; 0 turns the limit off
	Burst int     // answers at once, at least 1
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client; a request from any other address is that address's.
	TrustedProxies []netip.Prefix
}

// maxClients bounds the clients the limit keeps a bucket for: some 100
// bytes each. Past it, clients whose bucket has refilled are forgotten
// (to be one is to start full again), and then others at random: a client
// forgotten early gets a new burst, the price of bounded memory when more
// than this many clients ask for new answers at the same time.
const maxClients = 10000

// ParseTrustedProxies parses a comma-separated list of addresses and CIDR
// prefixes, such as "10.0.0.0/8,192.0.2.1"; empty is none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix such as 10.0.0.0/8", f)
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}

// limiter is the ClientLimit at work.
type limiter struct {
	ClientLimit
	now func() time.Time

	mu      sync.Mutex
	clients map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter returns the limiter of l; nil when l is off.
func newLimiter(l ClientLimit, now func() time.Time) *limiter {
	if l.Rate <= 0 {
		return nil
	}
	l.Burst = max(l.Burst, 1)
	return &limiter{ClientLimit: l, now: now, clients: map[netip.Addr]*bucket{}}
}

// take spends one of client's answers; when it has none left, it says how
// long until it has one.
func (l *limiter) take(client netip.Addr) (ok bool, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		if len(l.clients) >= maxClients {
			l.forget(now)
		}
		b = &bucket{tokens: float64(l.Burst), last: now}
		l.clients[client] = b
	}
	b.tokens = min(float64(l.Burst), b.tokens+now.Sub(b.last).Seconds()*l.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
}

// forget makes room in a full table: first every client whose bucket has
// refilled, then others (in the map's random order) down to three
// quarters of maxClients, so that the next forgetting is far off.
func (l *limiter) forget(now time.Time) {
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.last).Seconds()*l.Rate >= float64(l.Burst) {
			delete(l.clients, k)
		}
	}
	for k := range l.clients {
		if len(l.clients) <= maxClients*3/4 {
			break
		}
		delete(l.clients, k)
	}
}

// size is the number of clients tracked.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// client is who asked r: the peer's address, or behind a trusted proxy
// the last address in X-Forwarded-For that is not itself a trusted proxy.
// IPv6 clients are counted by /64, the block one host is given.
func (l *limiter) client(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{} // not TCP (a test's recorder): one client
	}
	a := ap.Addr().Unmap()
	if l.trusted(a) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a malformed hop: trust nothing before it
			}
			a = h.Unmap()
			if !l.trusted(a) {
				break
			}
		}
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

func (l *limiter) trusted(a netip.Addr) bool {
	for _, p := range l.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// admit charges a request whose answer must be made to its client, or
// answers it 429 with Retry-After and returns false. The warm-up is never
// charged.
func (s *Server) admit(c *gin.Context) bool {
	l := s.limit
	if l == nil || warming(c.Request) {
		return true
	}
	client := l.client(c.Request)
	ok, wait := l.take(client)
	if ok {
		return true
	}
	secs := int(math.Ceil(wait.Seconds()))
	c.Header("Retry-After", strconv.Itoa(secs))
	fail(c, &Error{Code: ELimited, Msg: fmt.Sprintf("too many new answers asked for by %s: the per-client limit of answers that must be made (chart images, embeds and views not drawn yet, the record's zip) is %d at once, then %s a second; answers already made are not limited; try again in %d s",
		client, l.Burst, strconv.FormatFloat(l.Rate, 'g', -1, 64), secs)})
	return false
}
