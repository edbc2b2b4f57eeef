// clientcmd-reference loads kubeconfigs with k8s.io/client-go/tools/clientcmd exactly as
// kubectl does and prints the effective client configuration (or client-go's error) as JSON.
// It never connects anywhere. Part of kubex's conformance harness (test/conformance/).
//
// Input on stdin: a JSON array of requests. Output on stdout: a JSON array of results, same order.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	_ "k8s.io/client-go/plugin/pkg/client/auth/oidc"
)

type request struct {
	// Dir is the working directory the case runs in (relative paths resolve against it).
	Dir string `json:"dir"`
	// Kubeconfig is the KUBECONFIG list (path-list separated), used when Explicit is empty.
	Kubeconfig string `json:"kubeconfig"`
	// Explicit is --kubeconfig.
	Explicit string `json:"explicit"`
	Context  string `json:"context"`
	Cluster  string `json:"cluster"`
	User     string `json:"user"`
	Namespace string `json:"namespace"`
}

type material struct {
	From   string `json:"from"`
	Sha256 string `json:"sha256,omitempty"`
	Error  string `json:"error,omitempty"`
}

type execEnv struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type execOut struct {
	Command            string      `json:"command"`
	Args               []string    `json:"args"`
	Env                []execEnv   `json:"env"`
	APIVersion         string      `json:"apiVersion"`
	InstallHint        string      `json:"installHint"`
	ProvideClusterInfo bool        `json:"provideClusterInfo"`
	InteractiveMode    string      `json:"interactiveMode"`
	Config             interface{} `json:"config,omitempty"`
}

type impersonate struct {
	User   string              `json:"user"`
	UID    string              `json:"uid,omitempty"`
	Groups []string            `json:"groups,omitempty"`
	Extra  map[string][]string `json:"extra,omitempty"`
}

type authProvider struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config,omitempty"`
}

type effective struct {
	Host               string        `json:"host"`
	Namespace          string        `json:"namespace"`
	TLSServerName      string        `json:"tlsServerName,omitempty"`
	Insecure           bool          `json:"insecure,omitempty"`
	CA                 *material     `json:"ca,omitempty"`
	Cert               *material     `json:"cert,omitempty"`
	Key                *material     `json:"key,omitempty"`
	BearerToken        string        `json:"bearerToken,omitempty"`
	BearerTokenFile    string        `json:"bearerTokenFile,omitempty"`
	Username           string        `json:"username,omitempty"`
	Password           string        `json:"password,omitempty"`
	Impersonate        *impersonate  `json:"impersonate,omitempty"`
	Exec               *execOut      `json:"exec,omitempty"`
	AuthProvider       *authProvider `json:"authProvider,omitempty"`
	Proxy              string        `json:"proxy,omitempty"`
	DisableCompression bool          `json:"disableCompression,omitempty"`
}

type result struct {
	OK     bool       `json:"ok"`
	Error  string     `json:"error,omitempty"`
	Config *effective `json:"config,omitempty"`
	// TransportError is what building the HTTP client (no connection) reports: CA with insecure, bad PEM, unknown auth provider.
	TransportError string `json:"transportError,omitempty"`
}

func main() {
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		fmt.Fprintf(os.Stderr, "clientcmd-reference: reading requests: %v\n", err)
		os.Exit(2)
	}
	results := make([]result, 0, len(requests))
	for _, r := range requests {
		results = append(results, run(r))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(results); err != nil {
		os.Exit(2)
	}
}

func run(r request) (out result) {
	defer func() {
		if p := recover(); p != nil {
			out = result{OK: false, Error: fmt.Sprintf("panic: %v", p)}
		}
	}()
	if err := os.Chdir(r.Dir); err != nil {
		return result{Error: err.Error()}
	}
	rules := &clientcmd.ClientConfigLoadingRules{}
	if r.Explicit != "" {
		rules.ExplicitPath = r.Explicit
	} else {
		rules.Precedence = filepath.SplitList(r.Kubeconfig)
	}
	// kubectl's overrides (cli-runtime ConfigFlags) carry ClusterDefaults: http://localhost:8080 when nothing says otherwise.
	overrides := &clientcmd.ConfigOverrides{ClusterDefaults: clientcmd.ClusterDefaults}
	overrides.CurrentContext = r.Context
	overrides.Context.Cluster = r.Cluster
	overrides.Context.AuthInfo = r.User
	overrides.Context.Namespace = r.Namespace
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := loader.ClientConfig()
	if err != nil {
		return result{Error: err.Error()}
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return result{Error: err.Error()}
	}
	e := &effective{
		Host:               cfg.Host,
		Namespace:          ns,
		TLSServerName:      cfg.ServerName,
		Insecure:           cfg.Insecure,
		CA:                 pem(cfg.CAFile, cfg.CAData),
		Cert:               pem(cfg.CertFile, cfg.CertData),
		Key:                pem(cfg.KeyFile, cfg.KeyData),
		BearerToken:        cfg.BearerToken,
		BearerTokenFile:    cfg.BearerTokenFile,
		Username:           cfg.Username,
		Password:           cfg.Password,
		DisableCompression: cfg.DisableCompression,
	}
	if cfg.Impersonate.UserName != "" || cfg.Impersonate.UID != "" || len(cfg.Impersonate.Groups) > 0 || len(cfg.Impersonate.Extra) > 0 {
		e.Impersonate = &impersonate{User: cfg.Impersonate.UserName, UID: cfg.Impersonate.UID, Groups: cfg.Impersonate.Groups, Extra: cfg.Impersonate.Extra}
	}
	if x := cfg.ExecProvider; x != nil {
		eo := &execOut{Command: x.Command, Args: x.Args, APIVersion: x.APIVersion, InstallHint: x.InstallHint, ProvideClusterInfo: x.ProvideClusterInfo, InteractiveMode: string(x.InteractiveMode)}
		if eo.Args == nil {
			eo.Args = []string{}
		}
		eo.Env = []execEnv{}
		for _, v := range x.Env {
			eo.Env = append(eo.Env, execEnv{Name: v.Name, Value: v.Value})
		}
		if x.Config != nil {
			var decoded interface{}
			if raw, err := json.Marshal(x.Config); err == nil && json.Unmarshal(raw, &decoded) == nil {
				eo.Config = decoded
			}
		}
		e.Exec = eo
	}
	if p := cfg.AuthProvider; p != nil {
		e.AuthProvider = &authProvider{Name: p.Name, Config: p.Config}
	}
	if cfg.Proxy != nil {
		req, _ := http.NewRequest("GET", cfg.Host, nil)
		if req == nil {
			req = &http.Request{URL: &url.URL{Scheme: "https", Host: "example.invalid"}}
		}
		if u, err := cfg.Proxy(req); err == nil && u != nil {
			e.Proxy = u.String()
		}
	}
	res := result{OK: true, Config: e}
	if _, err := rest.HTTPClientFor(rest.CopyConfig(cfg)); err != nil {
		res.TransportError = err.Error()
	}
	return res
}

// pem names where certificate material comes from and hashes its bytes (data wins over a file, as in client-go).
func pem(file string, data []byte) *material {
	if len(data) > 0 {
		return &material{From: "data", Sha256: digest(data)}
	}
	if file == "" {
		return nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return &material{From: "file", Error: err.Error()}
	}
	return &material{From: "file", Sha256: digest(b)}
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
