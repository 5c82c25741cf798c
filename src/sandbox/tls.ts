/**
 * Certificates for the sandbox's HTTPS fakes. Azure SDK clients refuse plain http for
 * token-authenticated calls, so every fake speaks TLS with a throw-away CA that the adapters
 * are given explicitly (never a global NODE_TLS_REJECT_UNAUTHORIZED=0).
 */
import selfsigned from 'selfsigned';

export interface SandboxTls {
  /** PEM of the CA that signed `cert`; what clients trust. */
  ca: string;
  cert: string;
  key: string;
}

let cached: Promise<SandboxTls> | undefined;

export function sandboxTls(): Promise<SandboxTls> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<SandboxTls> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000);
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'Tailspin Sandbox CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { ca: ca.cert, cert: leaf.cert, key: leaf.private };
}
