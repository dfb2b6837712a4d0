package scim

import (
	"context"
	"time"
)

// DirectoryView is what was provisioned, for people: the admin console's
// Users & groups page. It holds no token or token hash.
type DirectoryView struct {
	Users   []UserView   `json:"users"`
	Groups  []GroupView  `json:"groups"`
	Clients []ClientView `json:"clients"`
}

// UserView is one provisioned user.
type UserView struct {
	ID            string    `json:"id"`
	UserName      string    `json:"userName"`
	ExternalID    string    `json:"externalId,omitempty"`
	Active        bool      `json:"active"`
	Groups        []string  `json:"groups"`
	ProvisionedBy string    `json:"provisionedBy,omitempty"`
	LastModified  time.Time `json:"lastModified"`
}

// GroupView is one provisioned group with its members' user names.
type GroupView struct {
	ID            string    `json:"id"`
	DisplayName   string    `json:"displayName"`
	ExternalID    string    `json:"externalId,omitempty"`
	Members       []string  `json:"members"`
	ProvisionedBy string    `json:"provisionedBy,omitempty"`
	LastModified  time.Time `json:"lastModified"`
}

// ClientView is one provisioning client and when it last provisioned.
type ClientView struct {
	Name             string     `json:"name"`
	Created          time.Time  `json:"created"`
	TokenRotated     time.Time  `json:"tokenRotated"`
	LastProvisioning *time.Time `json:"lastProvisioning"`
}

// Snapshot reads the whole directory once.
func Snapshot(ctx context.Context, s Store) (DirectoryView, error) {
	out := DirectoryView{Users: []UserView{}, Groups: []GroupView{}, Clients: []ClientView{}}
	us, err := s.List(ctx, KindUser)
	if err != nil {
		return out, err
	}
	gs, err := s.List(ctx, KindGroup)
	if err != nil {
		return out, err
	}
	cs, err := s.Clients(ctx)
	if err != nil {
		return out, err
	}
	names := map[string]string{}
	for _, u := range us {
		names[u.ID] = u.Name()
	}
	memberOf := map[string][]string{}
	for _, g := range gs {
		gv := GroupView{ID: g.ID, DisplayName: g.Name(), ExternalID: g.ExternalID, Members: []string{}, ProvisionedBy: g.Client, LastModified: g.Modified}
		for _, m := range g.MemberIDs() {
			gv.Members = append(gv.Members, names[m])
			memberOf[m] = append(memberOf[m], g.Name())
		}
		out.Groups = append(out.Groups, gv)
	}
	for _, u := range us {
		groups := memberOf[u.ID]
		if groups == nil {
			groups = []string{}
		}
		out.Users = append(out.Users, UserView{ID: u.ID, UserName: u.Name(), ExternalID: u.ExternalID, Active: u.Active(),
			Groups: groups, ProvisionedBy: u.Client, LastModified: u.Modified})
	}
	for _, c := range cs {
		cv := ClientView{Name: c.Name, Created: c.Created, TokenRotated: c.Rotated}
		if !c.LastUsed.IsZero() {
			t := c.LastUsed
			cv.LastProvisioning = &t
		}
		out.Clients = append(out.Clients, cv)
	}
	return out, nil
}
