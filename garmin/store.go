package garmin

import (
	"encoding/json"
	"errors"
	"fitbit2garmin/internal/fsync"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// TokenStore keeps an account's tokens between runs. Save must be durable
// when it returns: a rotated refresh token is saved before the new access
// token is used, since the old one no longer works.
type TokenStore interface {
	// Load returns the saved tokens, or an error matching ErrNoTokens when
	// there are none.
	Load() (*Tokens, error)
	// Save replaces the saved tokens.
	Save(*Tokens) error
}

// TokenFileName is the token file's name inside the config directory.
const TokenFileName = "tokens.json"

// tokenFileVersion is the format version written in the file.
const tokenFileVersion = 1

// FileTokenStore is the TokenStore of the command line: <dir>/tokens.json,
// mode 0600, replaced atomically (temporary file, fsync, rename, directory
// fsync) so a crash leaves either the old tokens or the new ones.
type FileTokenStore struct {
	dir string
}

var _ TokenStore = (*FileTokenStore)(nil)

// NewFileTokenStore returns the store for <dir>/tokens.json. The directory
// is created (mode 0700) on the first Save.
func NewFileTokenStore(dir string) *FileTokenStore { return &FileTokenStore{dir: dir} }

// Path returns the token file's path.
func (s *FileTokenStore) Path() string { return filepath.Join(s.dir, TokenFileName) }

// fileCookie is a web-session cookie on disk.
type fileCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// tokenFile is the on-disk form; it alone holds the secrets in clear.
type tokenFile struct {
	Version      int          `json:"version"`
	Family       Family       `json:"family"`
	AccessToken  string       `json:"access_token"`
	RefreshToken string       `json:"refresh_token,omitempty"`
	ClientID     string       `json:"client_id,omitempty"`
	JWTFGP       string       `json:"jwt_fgp,omitempty"`
	Cookies      []fileCookie `json:"cookies,omitempty"`
	CSRF         string       `json:"csrf_token,omitempty"`
	ExpiresAt    *time.Time   `json:"expires_at,omitempty"`
	Profile      *Profile     `json:"profile,omitempty"`
}

func encodeTokens(t *Tokens) ([]byte, error) {
	f := tokenFile{
		Version:      tokenFileVersion,
		Family:       t.Family,
		AccessToken:  t.AccessToken.Reveal(),
		RefreshToken: t.RefreshToken.Reveal(),
		ClientID:     t.ClientID,
		JWTFGP:       t.JWTFGP.Reveal(),
		CSRF:         t.CSRF.Reveal(),
		Profile:      t.Profile,
	}
	for _, c := range t.Cookies {
		f.Cookies = append(f.Cookies, fileCookie{c.Name, c.Value.Reveal()})
	}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt.UTC()
		f.ExpiresAt = &e
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func decodeTokens(b []byte) (*Tokens, error) {
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.Version != tokenFileVersion {
		return nil, fmt.Errorf("unknown token file version %d", f.Version)
	}
	t := &Tokens{
		Family:       f.Family,
		AccessToken:  Secret(f.AccessToken),
		RefreshToken: Secret(f.RefreshToken),
		ClientID:     f.ClientID,
		JWTFGP:       Secret(f.JWTFGP),
		CSRF:         Secret(f.CSRF),
		Profile:      f.Profile,
	}
	for _, c := range f.Cookies {
		t.Cookies = append(t.Cookies, Cookie{c.Name, Secret(c.Value)})
	}
	if f.ExpiresAt != nil {
		t.ExpiresAt = *f.ExpiresAt
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// Load implements TokenStore.
func (s *FileTokenStore) Load() (*Tokens, error) {
	b, err := os.ReadFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoTokens
	}
	if err != nil {
		return nil, fmt.Errorf("read token file: %w", err)
	}
	t, err := decodeTokens(b)
	if err != nil {
		// The decoder's messages name types and offsets, never values.
		return nil, fmt.Errorf("read token file %s: %w", s.Path(), err)
	}
	return t, nil
}

// Save implements TokenStore.
func (s *FileTokenStore) Save(t *Tokens) error {
	if t == nil {
		return errors.New("save tokens: nil tokens")
	}
	b, err := encodeTokens(t)
	if err != nil {
		return fmt.Errorf("encode tokens: %w", err)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("create config dir: %w", err)
	}
	if err := fsync.WriteFile(s.Path(), ".tokens-*.tmp", b); err != nil {
		return fmt.Errorf("save tokens: %w", err)
	}
	return nil
}

// Delete removes the token file. It is not an error if there is none.
func (s *FileTokenStore) Delete() error {
	err := os.Remove(s.Path())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete token file: %w", err)
	}
	if err == nil {
		return fsync.Dir(s.dir)
	}
	return nil
}

// MemoryTokenStore is a TokenStore in memory, for tests and --sandbox.
type MemoryTokenStore struct {
	mu    sync.Mutex
	t     *Tokens
	saves int
}

var _ TokenStore = (*MemoryTokenStore)(nil)

// NewMemoryTokenStore returns a store holding t (nil: empty).
func NewMemoryTokenStore(t *Tokens) *MemoryTokenStore {
	return &MemoryTokenStore{t: t.clone()}
}

// Load implements TokenStore.
func (m *MemoryTokenStore) Load() (*Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.t == nil {
		return nil, ErrNoTokens
	}
	return m.t.clone(), nil
}

// Save implements TokenStore.
func (m *MemoryTokenStore) Save(t *Tokens) error {
	if t == nil {
		return errors.New("save tokens: nil tokens")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t.clone()
	m.saves++
	return nil
}

// Saves returns how many times Save was called.
func (m *MemoryTokenStore) Saves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saves
}
