package scim

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// FileStore is the embedded Store: everything in one JSON document,
// <dir>/store.json, replaced atomically (temporary file, fsync, rename,
// fsync of the directory) on every change, so a crash at any point leaves
// either the old or the new state. Several processes may share the
// directory (the server and `tipgate scim-client`): writers hold an
// exclusive lock on <dir>/lock, and every read first checks whether the
// file changed since it was loaded, so a change made by another process
// is seen by the next request, with nothing to go stale.
//
// The same store keeps its document in a Document instead of a file when
// replicas share it (OpenDocumentStore): every read asks the Document
// whether it changed, every write changes it under the Document's lock.
type FileStore struct {
	dir  string
	path string
	doc  Document // instead of dir and path

	mu         sync.Mutex
	loaded     os.FileInfo // the file state was read from; nil before any file exists
	docVersion int64       // the Document's version state was read from
	state      *fileState
}

// Document keeps a document store's one JSON document where several
// servers share it (the PostgreSQL store of replicas).
type Document interface {
	// Load returns the document and its version; the document is nil
	// when its version is since (unchanged) or there is none (version 0).
	Load(ctx context.Context, since int64) ([]byte, int64, error)
	// Update calls change with the current document (nil for none) and
	// its version under a lock every sharer respects, and stores what
	// change returns as the next version. An error from change is
	// returned as is and nothing is stored.
	Update(ctx context.Context, change func(cur []byte, version int64) ([]byte, error)) (int64, error)
}

// NamedDocuments is a set of documents by name (store.Documents).
type NamedDocuments interface {
	Load(ctx context.Context, name string, since int64) ([]byte, int64, error)
	Update(ctx context.Context, name string, change func(cur []byte, version int64) ([]byte, error)) (int64, error)
}

// SharedDocument is document name of docs.
func SharedDocument(docs NamedDocuments, name string) Document { return namedDocument{docs, name} }

type namedDocument struct {
	docs NamedDocuments
	name string
}

func (d namedDocument) Load(ctx context.Context, since int64) ([]byte, int64, error) {
	return d.docs.Load(ctx, d.name, since)
}

func (d namedDocument) Update(ctx context.Context, change func([]byte, int64) ([]byte, error)) (int64, error) {
	return d.docs.Update(ctx, d.name, change)
}

// OpenDocumentStore opens the document store kept in doc.
func OpenDocumentStore(ctx context.Context, doc Document) (*FileStore, error) {
	s := &FileStore{doc: doc}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

var _ Store = (*FileStore)(nil)

// fileState is the document on disk and its indexes.
type fileState struct {
	FormatVersion int                  `json:"formatVersion"`
	Users         map[string]*Resource `json:"users"`
	Groups        map[string]*Resource `json:"groups"`
	Clients       map[string]*Client   `json:"clients"`

	memberOf map[string][]string // user id → group ids
}

const fileFormatVersion = 1

// OpenFileStore opens (creating, 0700) the store in dir.
func OpenFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("scim: store directory: %w", err)
	}
	s := &FileStore{dir: dir, path: filepath.Join(dir, "store.json")}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

func emptyState() *fileState {
	st := &fileState{FormatVersion: fileFormatVersion, Users: map[string]*Resource{}, Groups: map[string]*Resource{},
		Clients: map[string]*Client{}}
	st.index()
	return st
}

func (st *fileState) index() {
	st.memberOf = map[string][]string{}
	for _, g := range st.Groups {
		for _, m := range g.MemberIDs() {
			st.memberOf[m] = append(st.memberOf[m], g.ID)
		}
	}
}

func (st *fileState) table(k Kind) map[string]*Resource {
	if k == KindGroup {
		return st.Groups
	}
	return st.Users
}

// refreshLocked reloads the document if the file changed since it was
// read (or was never read).
func (s *FileStore) refreshLocked(ctx context.Context) error {
	if s.doc != nil {
		return s.refreshDocLocked(ctx)
	}
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		if s.state == nil || s.loaded != nil {
			s.state, s.loaded = emptyState(), nil
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("scim: store: %w", err)
	}
	if s.state != nil && s.loaded != nil && os.SameFile(fi, s.loaded) && fi.ModTime().Equal(s.loaded.ModTime()) && fi.Size() == s.loaded.Size() {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("scim: store: %w", err)
	}
	st, err := parseState(b, s.path)
	if err != nil {
		return err
	}
	s.state, s.loaded = st, fi
	return nil
}

// refreshDocLocked reloads the state from the Document if it changed.
func (s *FileStore) refreshDocLocked(ctx context.Context) error {
	b, v, err := s.doc.Load(ctx, s.docVersion)
	if err != nil {
		return fmt.Errorf("scim: store: %w", err)
	}
	if s.state != nil && v == s.docVersion {
		return nil
	}
	st := emptyState()
	if b != nil {
		if st, err = parseState(b, "document"); err != nil {
			return err
		}
	}
	s.state, s.docVersion = st, v
	return nil
}

// parseState decodes a stored document.
func parseState(b []byte, where string) (*fileState, error) {
	st := emptyState()
	if err := decodeState(b, st); err != nil {
		return nil, fmt.Errorf("scim: store %s is damaged: %w", where, err)
	}
	if st.FormatVersion != fileFormatVersion {
		return nil, fmt.Errorf("scim: store %s has format %d, this tipgate knows %d", where, st.FormatVersion, fileFormatVersion)
	}
	if st.Users == nil {
		st.Users = map[string]*Resource{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*Resource{}
	}
	if st.Clients == nil {
		st.Clients = map[string]*Client{}
	}
	st.index()
	return st, nil
}

// read runs f on the current state.
func (s *FileStore) read(ctx context.Context, f func(*fileState) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return err
	}
	return f(s.state)
}

// write runs f on a copy of the current state under the cross-process
// lock and, if f succeeds, persists the copy and makes it current.
func (s *FileStore) write(ctx context.Context, f func(*fileState) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.doc != nil {
		return s.writeDocLocked(ctx, f)
	}
	unlock, err := lockFile(filepath.Join(s.dir, "lock"))
	if err != nil {
		return fmt.Errorf("scim: store lock: %w", err)
	}
	defer unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return err
	}
	next := s.state.shallow()
	if err := f(next); err != nil {
		if errors.Is(err, errNoChange) {
			return nil
		}
		return err
	}
	next.index()
	b, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("scim: store encode: %w", err)
	}
	if err := writeAtomic(s.dir, s.path, b); err != nil {
		return err
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("scim: store: %w", err)
	}
	s.state, s.loaded = next, fi
	return nil
}

// writeDocLocked is write on a Document: f runs on the document as it is
// under the Document's lock.
func (s *FileStore) writeDocLocked(ctx context.Context, f func(*fileState) error) error {
	var next *fileState
	v, err := s.doc.Update(ctx, func(cur []byte, v int64) ([]byte, error) {
		base := s.state
		if base == nil || v != s.docVersion {
			base = emptyState()
			if cur != nil {
				var err error
				if base, err = parseState(cur, "document"); err != nil {
					return nil, err
				}
			}
		}
		next = base.shallow()
		if err := f(next); err != nil {
			return nil, err
		}
		next.index()
		b, err := json.Marshal(next)
		if err != nil {
			return nil, fmt.Errorf("scim: store encode: %w", err)
		}
		return b, nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	s.state, s.docVersion = next, v
	return nil
}

// shallow copies the maps, not the resources: a stored *Resource or
// *Client is never changed in place (writers store a new one), so the
// state a failed write started from is untouched, and a write costs the
// maps, not a copy of every resource.
func (st *fileState) shallow() *fileState {
	// memberOf is shared read-only: index() makes a new one after the write.
	return &fileState{FormatVersion: st.FormatVersion, Users: maps.Clone(st.Users), Groups: maps.Clone(st.Groups),
		Clients: maps.Clone(st.Clients), memberOf: st.memberOf}
}

// errNoChange ends a write that has nothing to store.
var errNoChange = errors.New("scim: no change")

// decodeState keeps numbers as json.Number, as the SCIM library hands
// them over, so an integer attribute stays an integer across a restart.
func decodeState(b []byte, st *fileState) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(st)
}

func writeAtomic(dir, path string, b []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-store-*")
	if err != nil {
		return fmt.Errorf("scim: store write: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(b)
	cerr := tmp.Chmod(0o600)
	serr := tmp.Sync()
	xerr := tmp.Close()
	if err := errors.Join(werr, cerr, serr, xerr); err != nil {
		return fmt.Errorf("scim: store write: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("scim: store write: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("scim: store sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("scim: store sync: %w", err)
	}
	return nil
}

func copyResource(r *Resource) Resource {
	out := *r
	out.Attrs = deepCopyMap(r.Attrs)
	return out
}

func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// checkLocked enforces uniqueness and referential integrity for r about
// to be stored in st.
func (st *fileState) checkLocked(r *Resource) error {
	name := strings.ToLower(r.Name())
	for _, o := range st.table(r.Kind) {
		if o.ID == r.ID {
			continue
		}
		if name != "" && strings.ToLower(o.Name()) == name {
			return fmt.Errorf("%w: %s %q exists", ErrConflict, r.Kind, r.Name())
		}
		if r.ExternalID != "" && o.ExternalID == r.ExternalID {
			return fmt.Errorf("%w: externalId %q exists", ErrConflict, r.ExternalID)
		}
	}
	if r.Kind == KindGroup {
		for _, m := range r.MemberIDs() {
			if _, ok := st.Users[m]; !ok {
				return fmt.Errorf("%w: %q", ErrInvalidMember, m)
			}
		}
	}
	return nil
}

// Create implements Store.
func (s *FileStore) Create(ctx context.Context, r Resource) error {
	return s.write(ctx, func(st *fileState) error {
		t := st.table(r.Kind)
		if _, ok := t[r.ID]; ok || r.ID == "" {
			return fmt.Errorf("%w: id %q", ErrConflict, r.ID)
		}
		c := copyResource(&r)
		if err := st.checkLocked(&c); err != nil {
			return err
		}
		t[r.ID] = &c
		return nil
	})
}

// Get implements Store.
func (s *FileStore) Get(ctx context.Context, kind Kind, id string) (Resource, error) {
	var out Resource
	err := s.read(ctx, func(st *fileState) error {
		r, ok := st.table(kind)[id]
		if !ok {
			return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
		}
		out = copyResource(r)
		return nil
	})
	return out, err
}

func sortResources(rs []Resource) {
	slices.SortFunc(rs, func(a, b Resource) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
}

// List implements Store.
func (s *FileStore) List(ctx context.Context, kind Kind) ([]Resource, error) {
	var out []Resource
	err := s.read(ctx, func(st *fileState) error {
		for _, r := range st.table(kind) {
			out = append(out, copyResource(r))
		}
		return nil
	})
	sortResources(out)
	return out, err
}

// Update implements Store.
func (s *FileStore) Update(ctx context.Context, kind Kind, id string, change func(*Resource) error) (Resource, error) {
	var out Resource
	err := s.write(ctx, func(st *fileState) error {
		cur, ok := st.table(kind)[id]
		if !ok {
			return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
		}
		next := copyResource(cur)
		if err := change(&next); err != nil {
			return err
		}
		next.Kind, next.ID, next.Created = cur.Kind, cur.ID, cur.Created
		next.Version = cur.Version + 1
		if err := st.checkLocked(&next); err != nil {
			return err
		}
		st.table(kind)[id] = &next
		out = copyResource(&next)
		return nil
	})
	return out, err
}

// Delete implements Store.
func (s *FileStore) Delete(ctx context.Context, kind Kind, id string, check func(Resource) error) error {
	return s.write(ctx, func(st *fileState) error {
		cur, ok := st.table(kind)[id]
		if !ok {
			return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
		}
		if check != nil {
			if err := check(copyResource(cur)); err != nil {
				return err
			}
		}
		delete(st.table(kind), id)
		if kind == KindUser {
			for _, gid := range st.memberOf[id] {
				g := copyResource(st.Groups[gid])
				list, _ := attr(g.Attrs, "members").([]any)
				g.Attrs[key(g.Attrs, "members")] = slices.DeleteFunc(list, func(e any) bool {
					m, ok := e.(map[string]any)
					return ok && attr(m, "value") == id
				})
				g.Version++
				g.Modified = time.Now().UTC()
				st.Groups[gid] = &g
			}
		}
		return nil
	})
}

// FindUsers implements Store.
func (s *FileStore) FindUsers(ctx context.Context, by MatchBy, value string) ([]Resource, error) {
	var out []Resource
	err := s.read(ctx, func(st *fileState) error {
		for _, u := range st.Users {
			if matchUser(u, by, value) {
				out = append(out, copyResource(u))
			}
		}
		return nil
	})
	sortResources(out)
	return out, err
}

// matchUser is the one definition of MatchBy, shared by implementations
// that filter in Go.
func matchUser(u *Resource, by MatchBy, value string) bool {
	if value == "" {
		return false
	}
	switch by {
	case MatchExternalID:
		return u.ExternalID == value
	case MatchUserNameOrEmail:
		if strings.EqualFold(u.Name(), value) {
			return true
		}
		return slices.ContainsFunc(u.Emails(), func(e string) bool { return strings.EqualFold(e, value) })
	}
	return false
}

// GroupsOf implements Store.
func (s *FileStore) GroupsOf(ctx context.Context, userID string) ([]Resource, error) {
	var out []Resource
	err := s.read(ctx, func(st *fileState) error {
		for _, gid := range st.memberOf[userID] {
			out = append(out, copyResource(st.Groups[gid]))
		}
		return nil
	})
	sortResources(out)
	return out, err
}

// PutClient implements Store.
func (s *FileStore) PutClient(ctx context.Context, c Client) error {
	if c.Name == "" || c.TokenHash == "" {
		return errors.New("scim: a client needs a name and a token hash")
	}
	return s.write(ctx, func(st *fileState) error {
		for _, o := range st.Clients {
			if o.Name != c.Name && o.TokenHash == c.TokenHash {
				return fmt.Errorf("%w: token hash", ErrConflict)
			}
		}
		st.Clients[c.Name] = &c
		return nil
	})
}

// Clients implements Store.
func (s *FileStore) Clients(ctx context.Context) ([]Client, error) {
	var out []Client
	err := s.read(ctx, func(st *fileState) error {
		for _, name := range slices.Sorted(maps.Keys(st.Clients)) {
			out = append(out, *st.Clients[name])
		}
		return nil
	})
	return out, err
}

// ClientByTokenHash implements Store.
func (s *FileStore) ClientByTokenHash(ctx context.Context, hash string) (Client, error) {
	var out Client
	err := s.read(ctx, func(st *fileState) error {
		for _, c := range st.Clients {
			if c.TokenHash == hash {
				out = *c
				return nil
			}
		}
		return ErrNotFound
	})
	return out, err
}

// DeleteClient implements Store.
func (s *FileStore) DeleteClient(ctx context.Context, name string) error {
	return s.write(ctx, func(st *fileState) error {
		if _, ok := st.Clients[name]; !ok {
			return fmt.Errorf("%w: client %q", ErrNotFound, name)
		}
		delete(st.Clients, name)
		return nil
	})
}

// TouchClient implements Store.
func (s *FileStore) TouchClient(ctx context.Context, name string, t time.Time) error {
	return s.write(ctx, func(st *fileState) error {
		c, ok := st.Clients[name]
		if !ok {
			return fmt.Errorf("%w: client %q", ErrNotFound, name)
		}
		// A provisioning run is many requests a second apart at most:
		// the time is kept to the second, not rewritten per request.
		if d := t.Sub(c.LastUsed); d >= 0 && d < time.Second {
			return errNoChange
		}
		n := *c
		n.LastUsed = t.UTC()
		st.Clients[name] = &n
		return nil
	})
}
