package server

import (
	"context"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/scim"
)

// provisionedViews feeds SVV_PROVISIONED_USERS and SVV_PROVISIONED_GROUPS
// from the SCIM store, read when a statement names them.
func provisionedViews(st scim.Store) engine.Directory {
	return func() ([]engine.ProvisionedUser, []engine.ProvisionedGroup, error) {
		ctx := context.Background()
		us, err := st.List(ctx, scim.KindUser)
		if err != nil {
			return nil, nil, err
		}
		gs, err := st.List(ctx, scim.KindGroup)
		if err != nil {
			return nil, nil, err
		}
		memberOf := map[string][]string{}
		for _, g := range gs {
			for _, m := range g.MemberIDs() {
				memberOf[m] = append(memberOf[m], g.Name())
			}
		}
		var users []engine.ProvisionedUser
		for _, u := range us {
			users = append(users, engine.ProvisionedUser{UserName: u.Name(), ExternalID: u.ExternalID, Client: u.Client,
				Active: u.Active(), Groups: memberOf[u.ID], Modified: u.Modified})
		}
		var groups []engine.ProvisionedGroup
		for _, g := range gs {
			groups = append(groups, engine.ProvisionedGroup{GroupName: g.Name(), ExternalID: g.ExternalID, Client: g.Client,
				Members: len(g.MemberIDs()), Modified: g.Modified})
		}
		return users, groups, nil
	}
}
