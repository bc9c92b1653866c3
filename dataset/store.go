package dataset

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed data/*.csv data/VERSION
var embedded embed.FS

// Embedded returns the record shipped inside the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Source of a record: where a Store loads from.
type Origin struct {
	FS   fs.FS
	Name string // for messages: the directory path, or "embedded"
}

// EmbeddedOrigin is the record shipped inside the binary.
func EmbeddedOrigin() Origin { return Origin{FS: Embedded(), Name: "embedded"} }

// DirOrigin is a record in a directory on disk. Only regular files of a
// bounded size are read from it (see MaxFileBytes).
func DirOrigin(dir string) Origin { return Origin{FS: dirFS(dir), Name: dir} }

// Load reads and validates the record at o.
func (o Origin) Load(now time.Time) (*Dataset, error) {
	dir := o.Name
	if dir == "embedded" {
		dir = "embedded:"
	}
	return Load(o.FS, Options{Dir: dir, Now: now})
}

// Fingerprint hashes the record's files as they are now, so that a change
// on disk can be noticed without parsing. A file that cannot be read hashes
// as the reason it cannot, so that one fault replaced by another (a deleted
// file, then a directory in its place) is still a change.
func (o Origin) Fingerprint() string {
	h := sha256.New()
	for _, f := range append(Files[:len(Files):len(Files)], VersionFile) {
		b, err := fs.ReadFile(o.FS, f)
		h.Write([]byte(f))
		if err != nil {
			h.Write([]byte{0, 1})
			h.Write([]byte(err.Error()))
			continue
		}
		h.Write([]byte{0, 0})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ReloadStatus tells how the store's loads have gone.
type ReloadStatus struct {
	// LastSuccessful is whether the most recent load attempt succeeded.
	LastSuccessful bool
	// LastSuccess is when the dataset now served was loaded.
	LastSuccess time.Time
	// LastError is the most recent failed load's error, nil if none failed
	// since the last success.
	LastError error
	// Successes and Failures count load attempts since start, the first included.
	Successes, Failures uint64
}

// Store hands out the current dataset and replaces it on reload. A failed
// reload keeps the last good dataset serving.
type Store struct {
	origin Origin
	log    *slog.Logger
	now    func() time.Time

	cur    atomic.Pointer[Dataset]
	status atomic.Pointer[ReloadStatus]
	mu     sync.Mutex // serialises reloads
	seen   string     // fingerprint of the files last tried
	hooks  []func(*Dataset)
}

// OnLoad asks for f to be called, in a goroutine of its own, with every new
// dataset the store serves from now on, and at once with the current one.
// Views use it to make what depends only on the dataset before the first
// request asks for it.
func (s *Store) OnLoad(f func(*Dataset)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, f)
	if d := s.cur.Load(); d != nil {
		go f(d)
	}
}

// NewStore loads the record at o. It fails when the first load fails: there
// is no last good dataset to fall back to.
func NewStore(o Origin, log *slog.Logger) (*Store, error) {
	return newStore(o, log, time.Now)
}

func newStore(o Origin, log *slog.Logger, now func() time.Time) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{origin: o, log: log, now: now}
	s.status.Store(&ReloadStatus{})
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Current returns the dataset now served. It never returns nil.
func (s *Store) Current() *Dataset { return s.cur.Load() }

// Status returns how the loads have gone.
func (s *Store) Status() ReloadStatus { return *s.status.Load() }

// Origin returns where the store loads from.
func (s *Store) Origin() Origin { return s.origin }

// Reload reads the record again. On success the new dataset is served from
// the next call to Current; on failure the last good one stays and the
// error is returned, for the caller to log or answer with.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = s.origin.Fingerprint()
	d, err := s.origin.Load(s.now())
	st := *s.status.Load()
	if err != nil {
		st.LastSuccessful = false
		st.LastError = err
		st.Failures++
		s.status.Store(&st)
		return err
	}
	prev := s.cur.Swap(d)
	st.LastSuccessful = true
	st.LastSuccess = s.now()
	st.LastError = nil
	st.Successes++
	s.status.Store(&st)
	if prev == nil || prev.Checksum != d.Checksum {
		for _, f := range s.hooks {
			go f(d)
		}
	}
	if prev == nil {
		s.log.Info("dataset loaded", "origin", s.origin.Name, "observations", len(d.Observations), "as_of", d.AsOf.String(), "checksum", d.Checksum[:12])
	} else if prev.Checksum != d.Checksum {
		s.log.Info("dataset reloaded", "origin", s.origin.Name, "observations", len(d.Observations), "as_of", d.AsOf.String(), "checksum", d.Checksum[:12])
	}
	return nil
}

// Watch polls the record's files every interval and reloads when they
// change, until ctx is done. A change that fails to load is tried again only
// when the files change again.
func (s *Store) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fp := s.origin.Fingerprint()
		s.mu.Lock()
		changed := fp != s.seen
		s.mu.Unlock()
		if changed {
			if err := s.Reload(); err != nil {
				s.log.Error("dataset reload failed; still serving the last good dataset",
					"origin", s.origin.Name, "checksum", s.Current().Checksum, "err", err)
			}
		}
	}
}
