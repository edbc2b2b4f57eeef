/**
 * A throwaway PKI made with the `openssl` CLI for TLS tests: a CA, a server certificate
 * for 127.0.0.1 and `kube.test`, a client certificate, and a second CA nobody trusts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "kubex-tls-"));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const key = (name: string) => openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file(name));
  try {
    const ca = (name: string, cn: string) => {
      key(`${name}.key`);
      openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        file(`${name}.key`),
        "-subj",
        `/CN=${cn}`,
        "-days",
        "2",
        "-out",
        file(`${name}.crt`),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      );
    };
    const leaf = (name: string, cn: string, signer: string, ext: string) => {
      key(`${name}.key`);
      openssl("req", "-new", "-key", file(`${name}.key`), "-subj", `/CN=${cn}`, "-out", file(`${name}.csr`));
      writeFileSync(file(`${name}.ext`), ext);
      openssl(
        "x509",
        "-req",
        "-in",
        file(`${name}.csr`),
        "-CA",
        file(`${signer}.crt`),
        "-CAkey",
        file(`${signer}.key`),
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        file(`${name}.crt`),
        "-extfile",
        file(`${name}.ext`),
      );
    };
    ca("ca", "kubex-test-ca");
    ca("other-ca", "kubex-untrusted-ca");
    leaf("server", "kube-apiserver", "ca", "subjectAltName=IP:127.0.0.1,DNS:kube.test\nextendedKeyUsage=serverAuth\n");
    leaf("client", "kubex-admin", "ca", "extendedKeyUsage=clientAuth\n");
    leaf("stranger", "stranger", "other-ca", "extendedKeyUsage=clientAuth\n");
    const read = (name: string) => readFileSync(file(name), "utf8");
    return {
      ca: read("ca.crt"),
      serverCert: read("server.crt"),
      serverKey: read("server.key"),
      clientCert: read("client.crt"),
      clientKey: read("client.key"),
      strangerCert: read("stranger.crt"),
      strangerKey: read("stranger.key"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
