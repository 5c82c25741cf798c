/** The registry documents the signature lookup reads (OCI image-spec 1.1), only the fields used. */
import { z } from 'zod';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);

export const Descriptor = z.object({
  mediaType: z.string().max(256),
  digest,
  size: z.number().int().nonnegative(),
  artifactType: z.string().max(256).optional(),
  annotations: z.record(z.string().max(256), z.string().max(8192)).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

/** GET /v2/<repo>/referrers/<digest>: an image index of the manifests whose subject is the digest. */
export const ReferrersIndex = z.object({ manifests: z.array(z.unknown()).default([]) });

/** A signature manifest: cosign puts one layer per signature, its signature in an annotation. */
export const SignatureManifest = z.object({
  mediaType: z.string().max(256).optional(),
  layers: z.array(z.unknown()).max(10_000),
});

export const COSIGN_SIG_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
