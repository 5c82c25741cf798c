/** The signature gate: trusted keys, cosign payloads, and the judgement over what the registry holds. */
export { parsePublicKeys, type TrustedKey } from './keys.js';
export { judgeSignatures, type SignatureCandidate } from './verify.js';
