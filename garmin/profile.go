package garmin

import (
	"context"
	"net/http"
)

// SocialProfile calls GET /userprofile-service/socialProfile: who the
// tokens belong to. The profile is also cached with the saved tokens, so
// `auth status` can show it offline.
func (c *Client) SocialProfile(ctx context.Context) (*Profile, error) {
	var p Profile
	if err := c.do(ctx, call{method: http.MethodGet, path: pathSocialProfile}, &p); err != nil {
		return nil, err
	}
	c.cacheProfile(p)
	return &p, nil
}

// cacheProfile stores p with the current tokens when it changed. A failed
// save is harmless (the cache is a convenience) and is only logged.
func (c *Client) cacheProfile(p Profile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == nil || (c.tok.Profile != nil && *c.tok.Profile == p) {
		return
	}
	nt := c.tok.clone()
	nt.Profile = &p
	c.tok = nt
	if c.store == nil {
		return
	}
	if err := c.store.Save(nt); err != nil {
		c.log.Warn("garmin: could not cache the profile with the tokens", "error", err.Error())
	}
}
