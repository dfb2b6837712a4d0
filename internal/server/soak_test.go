package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak is `make soak` (not in make test): many concurrent sessions
// through the load balancer for a long time while a replica is killed
// (SIGKILL) and restarted every minute. Every answer is checked against
// the ground truth; every statement must end (FINISHED, or FAILED by the
// reaper when its replica was killed); errors are allowed only around the
// kills; the replicas' RSS is reported. TIPGATE_SOAK=1 runs it;
// TIPGATE_SOAK_DURATION (default 10m) and TIPGATE_SOAK_SESSIONS (200)
// size it.
func TestSoak(t *testing.T) {
	if os.Getenv("TIPGATE_SOAK") == "" {
		t.Skip("make soak runs it (TIPGATE_SOAK=1)")
	}
	dur, err := time.ParseDuration(envOr("TIPGATE_SOAK_DURATION", "10m"))
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := strconv.Atoi(envOr("TIPGATE_SOAK_SESSIONS", "200"))
	if err != nil {
		t.Fatal(err)
	}
	c := startCluster(t)
	// Sessions are spread over four users (each principal has its own
	// quotas: one user's hundred concurrent statements would be refused by
	// design), each answer checked against that user's ground truth.
	users := []string{"ming@example.com", "frank@example.com", "alex@example.com", "ethan@example.com"}
	tokens := map[string]string{}
	for _, u := range users {
		status, tok := postForm(t, c.lb+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
			"username": {u}, "password": {demoPassword}, "scope": {"openid email profile groups"}})
		idTok, _ := tok["id_token"].(string)
		if status != 200 || idTok == "" {
			t.Fatalf("password grant: %d", status)
		}
		status, ex := postForm(t, c.lb+"/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token": {idTok}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
		session, _ := ex["access_token"].(string)
		if status != 200 || session == "" {
			t.Fatalf("token exchange: %d", status)
		}
		tokens[u] = session
	}
	const sql = `SELECT split_part(timezone, '/', 1) AS r, count(*) AS n FROM sales_data GROUP BY 1 ORDER BY 1`
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: sessions}}
	call := func(user, method, path, body string) (int, map[string]any, error) {
		req, _ := http.NewRequest(method, c.lb+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokens[user])
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var v map[string]any
		err = json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v, err
	}
	answer := func(user, id string) (string, error) {
		status, res, err := call(user, "GET", "/v1/statements/"+id+"/result", "")
		if err != nil || status != 200 {
			return "", fmt.Errorf("result: %d %v", status, err)
		}
		b, _ := json.Marshal(res["Records"])
		return string(b), nil
	}
	// Ground truth: each user's answer before any fault.
	truth := map[string]string{}
	for _, u := range users {
		_, out, err := call(u, "POST", "/v1/statements", `{"Sql":"`+sql+`","WaitTimeSeconds":20}`)
		if err != nil || out["Status"] != "FINISHED" {
			t.Fatalf("ground truth: %v %v", out, err)
		}
		if truth[u], err = answer(u, out["Id"].(string)); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(truth["ming@example.com"], "Asia") || strings.Contains(truth["ming@example.com"], "America") || truth["ethan@example.com"] == truth["ming@example.com"] {
		t.Fatalf("ground truth %v", truth)
	}

	var (
		done                                       atomic.Bool
		ok, wrong, lost, reaped, errs, errsOutside atomic.Int64
		mu                                         sync.Mutex
		kills                                      []time.Time
		firstErrors                                []string
	)
	nearKill := func(at time.Time) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range kills {
			if at.After(k.Add(-time.Second)) && at.Before(k.Add(15*time.Second)) {
				return true
			}
		}
		return false
	}
	fail := func(what string) {
		errs.Add(1)
		if !nearKill(time.Now()) {
			errsOutside.Add(1)
			mu.Lock()
			if len(firstErrors) < 10 {
				firstErrors = append(firstErrors, what)
			}
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for i := range sessions {
		user := users[i%len(users)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				status, out, err := call(user, "POST", "/v1/statements", `{"Sql":"`+sql+`","WaitTimeSeconds":20}`)
				if err != nil || status != 200 {
					fail(fmt.Sprintf("execute: %d %v", status, err))
					time.Sleep(200 * time.Millisecond)
					continue
				}
				id, _ := out["Id"].(string)
				st, _ := out["Status"].(string)
				// A statement is never lost: it ends, whatever happens to
				// the replica that took it.
				deadline := time.Now().Add(60 * time.Second)
				for st != "FINISHED" && st != "FAILED" && st != "ABORTED" {
					if time.Now().After(deadline) {
						lost.Add(1)
						break
					}
					time.Sleep(250 * time.Millisecond)
					status, d, err := call(user, "GET", "/v1/statements/"+id, "")
					if err != nil || status != 200 {
						fail(fmt.Sprintf("describe: %d %v", status, err))
						continue
					}
					st, _ = d["Status"].(string)
					if st == "FAILED" && strings.Contains(fmt.Sprint(d["Error"]), "replica running this statement stopped") {
						reaped.Add(1)
					}
				}
				switch st {
				case "FINISHED":
					got, err := answer(user, id)
					switch {
					case err != nil:
						fail(err.Error())
					case got != truth[user]:
						wrong.Add(1)
					default:
						ok.Add(1)
					}
				case "FAILED", "ABORTED":
					if !nearKill(time.Now()) {
						fail("statement " + st + " away from a kill")
					}
				}
			}
		}()
	}
	rss := map[string][]int64{}
	sample := func() {
		for _, r := range c.replicas {
			if r.cmd != nil && r.cmd.Process != nil {
				rss[r.id] = append(rss[r.id], vmRSS(r.cmd.Process.Pid))
			}
		}
	}
	start := time.Now()
	next := 0
	for time.Since(start) < dur {
		time.Sleep(min(time.Minute, dur-time.Since(start)))
		sample()
		if time.Since(start) >= dur {
			break
		}
		victim := c.replicas[next%len(c.replicas)]
		next++
		mu.Lock()
		kills = append(kills, time.Now())
		mu.Unlock()
		c.kill(t, victim)
		time.Sleep(3 * time.Second)
		c.restart(t, victim)
		rss[victim.id] = append(rss[victim.id], -1) // a new process from here
	}
	done.Store(true)
	wg.Wait()
	t.Logf("soak: %s, %d sessions, %d kills: %d answers right, %d wrong, %d lost, %d failed by the reaper, %d errors (%d away from kills)",
		dur, sessions, len(kills), ok.Load(), wrong.Load(), lost.Load(), reaped.Load(), errs.Load(), errsOutside.Load())
	for _, r := range c.replicas {
		t.Logf("RSS of %s (kB, -1 = restarted): %v", r.id, rss[r.id])
	}
	if wrong.Load() != 0 || lost.Load() != 0 || errsOutside.Load() != 0 || ok.Load() == 0 {
		t.Fatalf("soak failed; first errors away from kills: %v", firstErrors)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// vmRSS is a process's resident set in kB (0 when unknown).
func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
