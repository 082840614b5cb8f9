// lego-run: the lego peer of bench/acme. It drives lego v5's ACME library (the packages the lego
// CLI's `run` command is built on: lego, registration, certificate, challenge/http01) the way
// `lego run --http` does, with a subset of that command's flag names.
//
// Why not the lego CLI itself: its package (github.com/go-acme/lego/v5, cmd/) imports every DNS
// provider SDK and gitlab.com/greyxor/slogor, and the Go module proxy reachable here refuses
// slogor and about two dozen of those SDKs (403), for every v5 release. The library packages
// below import none of them.
//
//	lego-run --server URL --email E --accept-tos --http --http.address :P --key-type ec256 \
//	         --path DIR -d NAME [-d NAME...]
//
// One process per issuance, like the CLI: load (or on first use register, with --accept-tos) the
// account kept in DIR/accounts/, run a new order for the names with HTTP-01 served by lego's
// own challenge server on --http.address, and write DIR/certificates/NAME.{crt,key,issuer.crt,json}.
// The Pebble CA bundle comes from LEGO_CA_CERTIFICATES, read by lego.NewConfig as in the CLI.
//
// Differences from `lego run`, none of which changes the ACME requests sent: no
// go-retryablehttp wrapper around the HTTP client (it only acts on error responses), no hooks,
// no urfave/cli start-up and none of the CLI's DNS provider packages initialised.
package main

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-acme/lego/v5/acme"
	"github.com/go-acme/lego/v5/certcrypto"
	"github.com/go-acme/lego/v5/certificate"
	"github.com/go-acme/lego/v5/challenge/http01"
	"github.com/go-acme/lego/v5/lego"
	"github.com/go-acme/lego/v5/registration"
)

// version is set by tools/go-tools.sh to the lego module version this binary is built against.
var version = "unknown"

type account struct {
	email string
	key   crypto.Signer
	reg   *acme.ExtendedAccount
}

func (a *account) GetEmail() string                       { return a.email }
func (a *account) GetRegistration() *acme.ExtendedAccount { return a.reg }
func (a *account) GetPrivateKey() crypto.Signer           { return a.key }

type domains []string

func (d *domains) String() string     { return strings.Join(*d, ",") }
func (d *domains) Set(v string) error { *d = append(*d, v); return nil }

// loadAccount reads DIR/account.key and DIR/account.json; a missing key is generated, a missing
// registration is left nil (the caller registers).
func loadAccount(dir, email string, keyType certcrypto.KeyType) (*account, error) {
	acc := &account{email: email}
	keyFile := filepath.Join(dir, "account.key")
	pemKey, err := os.ReadFile(keyFile)
	switch {
	case err == nil:
		if acc.key, err = certcrypto.ParsePEMPrivateKey(pemKey); err != nil {
			return nil, fmt.Errorf("%s: %w", keyFile, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		if acc.key, err = certcrypto.GeneratePrivateKey(keyType); err != nil {
			return nil, err
		}
		if err = os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if err = os.WriteFile(keyFile, certcrypto.PEMEncode(acc.key), 0o600); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	regJSON, err := os.ReadFile(filepath.Join(dir, "account.json"))
	switch {
	case err == nil:
		acc.reg = &acme.ExtendedAccount{}
		if err = json.Unmarshal(regJSON, acc.reg); err != nil {
			return nil, fmt.Errorf("account.json: %w", err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return acc, nil
}

func run() error {
	var (
		server    = flag.String("server", "", "ACME directory URL")
		email     = flag.String("email", "", "account contact email")
		acceptTOS = flag.Bool("accept-tos", false, "agree to the CA's terms of service when registering")
		useHTTP   = flag.Bool("http", false, "solve HTTP-01 with lego's built-in server")
		httpAddr  = flag.String("http.address", ":80", "address of the HTTP-01 server, [host]:port")
		keyTypeS  = flag.String("key-type", "ec256", "key type of the account and certificate keys")
		path      = flag.String("path", ".lego", "directory for the account and certificates")
		timeout   = flag.Int("cert.timeout", 30, "certificate timeout in seconds")
		showVer   = flag.Bool("version", false, "print the lego version and exit")
		names     domains
	)
	flag.Var(&names, "d", "domain (repeatable)")
	flag.Parse()
	if *showVer {
		fmt.Printf("lego-run (lego library %s)\n", version)
		return nil
	}
	if *server == "" || len(names) == 0 || !*useHTTP {
		return errors.New("usage: lego-run --server URL --http [--http.address :P] -d NAME ... (see the header)")
	}
	keyType, err := certcrypto.ToKeyType(*keyTypeS)
	if err != nil {
		return err
	}
	accDir := filepath.Join(*path, "accounts")
	acc, err := loadAccount(accDir, *email, keyType)
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}

	config := lego.NewConfig(acc)
	config.CADirURL = *server
	config.UserAgent = "lego-run/" + version
	config.Certificate.Timeout = time.Duration(*timeout) * time.Second
	client, err := lego.NewClient(config)
	if err != nil {
		return fmt.Errorf("new client: %w", err)
	}
	host, port, err := net.SplitHostPort(*httpAddr)
	if err != nil {
		return fmt.Errorf("--http.address: %w", err)
	}
	provider := http01.NewProviderServerWithOptions(http01.Options{
		Network: "tcp", Address: net.JoinHostPort(host, port),
	})
	if err = client.Challenge.SetHTTP01Provider(provider); err != nil {
		return err
	}

	ctx := context.Background()
	if acc.reg == nil {
		if !*acceptTOS {
			return errors.New("the account is not registered and --accept-tos was not given")
		}
		reg, errR := client.Registration.Register(ctx, registration.RegisterOptions{TermsOfServiceAgreed: true})
		if errR != nil {
			return fmt.Errorf("register: %w", errR)
		}
		acc.reg = reg
		regJSON, _ := json.MarshalIndent(reg, "", "  ")
		if errR = os.WriteFile(filepath.Join(accDir, "account.json"), regJSON, 0o600); errR != nil {
			return errR
		}
	}

	res, err := client.Certificate.Obtain(ctx, certificate.ObtainRequest{
		Domains: names, KeyType: keyType, Bundle: true,
	})
	if err != nil {
		return fmt.Errorf("obtain: %w", err)
	}

	certDir := filepath.Join(*path, "certificates")
	if err = os.MkdirAll(certDir, 0o700); err != nil {
		return err
	}
	base := filepath.Join(certDir, strings.ReplaceAll(names[0], "*", "_"))
	meta, _ := json.MarshalIndent(res, "", "  ")
	for _, f := range []struct {
		suffix string
		data   []byte
		mode   os.FileMode
	}{
		{".crt", res.Certificate, 0o644},
		{".issuer.crt", res.IssuerCertificate, 0o644},
		{".key", res.PrivateKey, 0o600},
		{".json", meta, 0o600},
	} {
		if err = os.WriteFile(base+f.suffix, f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "lego-run:", err)
		os.Exit(1)
	}
}
