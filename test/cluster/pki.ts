import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ClusterSetupError } from "./versions.js";

const run = promisify(execFile);

/** Files of the cluster's own PKI, all PEM, all under `<runDir>/pki`. */
export interface Pki {
  dir: string;
  caFile: string;
  caKeyFile: string;
  apiserverCertFile: string;
  apiserverKeyFile: string;
  adminCertFile: string;
  adminKeyFile: string;
  kwokClientCertFile: string;
  kwokClientKeyFile: string;
  kwokServingCertFile: string;
  kwokServingKeyFile: string;
  /** kube-controller-manager's client certificate (CN=system:kube-controller-manager) and serving certificate. */
  controllerManagerClientCertFile: string;
  controllerManagerClientKeyFile: string;
  controllerManagerServingCertFile: string;
  controllerManagerServingKeyFile: string;
  /** kube-scheduler's client certificate (CN=system:kube-scheduler) and serving certificate. */
  schedulerClientCertFile: string;
  schedulerClientKeyFile: string;
  schedulerServingCertFile: string;
  schedulerServingKeyFile: string;
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
  tokenFile: string;
  tokens: { admin: string; unprivileged: string };
}

/** User names the cluster knows (RBAC subjects). */
export const identities = {
  /** Client certificate, group system:masters. */
  admin: "kubex-admin",
  /** Static token, group system:masters. */
  tokenAdmin: "kubex-token-admin",
  /** Static token, no groups beyond system:authenticated: forbidden almost everywhere. */
  unprivileged: "kubex-unprivileged",
  /** kwok's client certificate, group system:masters. */
  kwok: "kubex-kwok",
  /** kube-controller-manager's client certificate: the user the default RBAC policy grants its rights to. */
  controllerManager: "system:kube-controller-manager",
  /** kube-scheduler's client certificate: the user the default RBAC policy grants its rights to. */
  scheduler: "system:kube-scheduler",
} as const;

const validityDays = "30";

function writeKey(path: string): void {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  writeFileSync(path, privateKey.export({ type: "sec1", format: "pem" }), { mode: 0o600 });
}

async function openssl(args: string[], what: string): Promise<void> {
  try {
    await run("openssl", args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const detail =
      e.code === "ENOENT" ? "the 'openssl' command is not installed (apt-get install openssl)" : (e.stderr ?? e.message).trim();
    throw new ClusterSetupError(`creating the test PKI failed at "${what}": ${detail}`);
  }
}

interface LeafSpec {
  name: string;
  subject: string;
  usage: "serverAuth" | "clientAuth";
  altNames?: string[];
}

async function signLeaf(dir: string, caFile: string, caKeyFile: string, spec: LeafSpec): Promise<[string, string]> {
  const key = join(dir, `${spec.name}.key`);
  const csr = join(dir, `${spec.name}.csr`);
  const crt = join(dir, `${spec.name}.crt`);
  const ext = join(dir, `${spec.name}.ext`);
  writeKey(key);
  const lines = [
    "basicConstraints = critical,CA:FALSE",
    "keyUsage = critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage = ${spec.usage}`,
    "authorityKeyIdentifier = keyid",
  ];
  if (spec.altNames) lines.push(`subjectAltName = ${spec.altNames.join(",")}`);
  writeFileSync(ext, lines.join("\n") + "\n");
  await openssl(["req", "-new", "-key", key, "-subj", spec.subject, "-out", csr], `${spec.name} request`);
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caFile,
      "-CAkey",
      caKeyFile,
      "-set_serial",
      `0x${randomBytes(8).toString("hex")}`,
      "-days",
      validityDays,
      "-extfile",
      ext,
      "-out",
      crt,
    ],
    `${spec.name} certificate`,
  );
  return [crt, key];
}

/**
 * Creates a fresh CA, the apiserver's serving certificate (SANs localhost, 127.0.0.1 and the
 * in-cluster service names), client certificates for the admin and for kwok (O=system:masters),
 * client and serving certificates for kube-controller-manager and kube-scheduler (their users are
 * the ones the default RBAC policy binds), kwok's serving certificate, the service-account key
 * pair and a static token file. The CA also signs CSRs (kube-controller-manager's
 * --cluster-signing-*), so a certificate it issues for kubernetes.io/kube-apiserver-client
 * authenticates against this apiserver.
 */
export async function createPki(runDir: string): Promise<Pki> {
  const dir = join(runDir, "pki");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, "ca.crt");
  const caKeyFile = join(dir, "ca.key");
  writeKey(caKeyFile);
  const caConf = join(dir, "ca.cnf");
  writeFileSync(
    caConf,
    [
      "[req]",
      "distinguished_name = dn",
      "prompt = no",
      "[dn]",
      "CN = kubex-test-ca",
      "[v3_ca]",
      "basicConstraints = critical,CA:TRUE",
      "keyUsage = critical,keyCertSign,cRLSign,digitalSignature",
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
  await openssl(
    ["req", "-x509", "-new", "-key", caKeyFile, "-config", caConf, "-extensions", "v3_ca", "-days", validityDays, "-out", caFile],
    "CA certificate",
  );

  const loopback = ["DNS:localhost", "IP:127.0.0.1"];
  const [
    [apiserverCertFile, apiserverKeyFile],
    [adminCertFile, adminKeyFile],
    [kwokClientCertFile, kwokClientKeyFile],
    [kwokServingCertFile, kwokServingKeyFile],
    [controllerManagerClientCertFile, controllerManagerClientKeyFile],
    [controllerManagerServingCertFile, controllerManagerServingKeyFile],
    [schedulerClientCertFile, schedulerClientKeyFile],
    [schedulerServingCertFile, schedulerServingKeyFile],
  ] = await Promise.all([
    signLeaf(dir, caFile, caKeyFile, {
      name: "apiserver",
      subject: "/CN=kube-apiserver",
      usage: "serverAuth",
      altNames: [
        "DNS:localhost",
        "DNS:kubernetes",
        "DNS:kubernetes.default",
        "DNS:kubernetes.default.svc",
        "DNS:kubernetes.default.svc.cluster.local",
        "IP:127.0.0.1",
        "IP:::1",
        "IP:10.0.0.1",
      ],
    }),
    signLeaf(dir, caFile, caKeyFile, { name: "admin", subject: `/O=system:masters/CN=${identities.admin}`, usage: "clientAuth" }),
    signLeaf(dir, caFile, caKeyFile, { name: "kwok-client", subject: `/O=system:masters/CN=${identities.kwok}`, usage: "clientAuth" }),
    signLeaf(dir, caFile, caKeyFile, { name: "kwok-serving", subject: "/CN=kwok-node", usage: "serverAuth", altNames: loopback }),
    signLeaf(dir, caFile, caKeyFile, {
      name: "controller-manager-client",
      subject: `/CN=${identities.controllerManager}`,
      usage: "clientAuth",
    }),
    signLeaf(dir, caFile, caKeyFile, {
      name: "controller-manager-serving",
      subject: "/CN=kube-controller-manager",
      usage: "serverAuth",
      altNames: loopback,
    }),
    signLeaf(dir, caFile, caKeyFile, { name: "scheduler-client", subject: `/CN=${identities.scheduler}`, usage: "clientAuth" }),
    signLeaf(dir, caFile, caKeyFile, { name: "scheduler-serving", subject: "/CN=kube-scheduler", usage: "serverAuth", altNames: loopback }),
  ]);

  const serviceAccountKeyFile = join(dir, "sa.key");
  const serviceAccountPublicKeyFile = join(dir, "sa.pub");
  const sa = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  writeFileSync(serviceAccountKeyFile, sa.privateKey.export({ type: "sec1", format: "pem" }), { mode: 0o600 });
  writeFileSync(serviceAccountPublicKeyFile, sa.publicKey.export({ type: "spki", format: "pem" }));

  const tokens = { admin: randomBytes(24).toString("hex"), unprivileged: randomBytes(24).toString("hex") };
  const tokenFile = join(dir, "tokens.csv");
  // Static token file: token,user,uid,"group1,group2"
  writeFileSync(
    tokenFile,
    `${tokens.admin},${identities.tokenAdmin},${identities.tokenAdmin},"system:masters"\n` +
      `${tokens.unprivileged},${identities.unprivileged},${identities.unprivileged}\n`,
    { mode: 0o600 },
  );

  return {
    dir,
    caFile,
    caKeyFile,
    apiserverCertFile,
    apiserverKeyFile,
    adminCertFile,
    adminKeyFile,
    kwokClientCertFile,
    kwokClientKeyFile,
    kwokServingCertFile,
    kwokServingKeyFile,
    controllerManagerClientCertFile,
    controllerManagerClientKeyFile,
    controllerManagerServingCertFile,
    controllerManagerServingKeyFile,
    schedulerClientCertFile,
    schedulerClientKeyFile,
    schedulerServingCertFile,
    schedulerServingKeyFile,
    serviceAccountKeyFile,
    serviceAccountPublicKeyFile,
    tokenFile,
    tokens,
  };
}
