/** metav1.Status bodies, shaped like the apiserver's failure responses. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export function failure(code: number, message: string, details?: Record<string, unknown>, reason = REASONS[code] ?? 'Unknown'): HttpAnswer {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code },
  };
}

/** `deployments.apps "web" not found`: the apiserver's NotFound wording (resource.group "name"). */
export function notFound(resource: string, group: string, name: string): HttpAnswer {
  const qualified = group ? `${resource}.${group}` : resource;
  return failure(404, `${qualified} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): HttpAnswer {
  const qualified = group ? `${resource}.${group}` : resource;
  return failure(409, `${qualified} "${name}" already exists`, { name, ...(group ? { group } : {}), kind: resource }, 'AlreadyExists');
}

export const ok = (body: unknown, status = 200): HttpAnswer => ({ status, body });
