/**
 * Which layer of the acknowledgement a CPU profile sample belongs to, from its stack (innermost
 * frame first): the storage SDK and its HTTP client, writing to sockets, the local Functions host's
 * request side and its answer, our handler and services, Node's HTTP server and client, GC. Used by
 * bench/ack-profile.ts to put ours and the minimal server side by side in ms per ack.
 */
export interface Frame {
  functionName: string;
  url: string;
}

export type Layer =
  | 'storage SDK (pipeline, XML/JSON, signing)'
  | 'socket writes (kernel, both directions)'
  | 'garbage collection'
  | 'local Functions host: request (HttpRequest, web stream body, routing)'
  | 'answer written (respond)'
  | 'our handler and services (verify, parse, validate, plan, accept, log, metrics)'
  | 'minimal server handler'
  | 'Node HTTP server and client'
  | 'other (microtask queue, timers, streams)';

const has = (stack: Frame[], re: RegExp) => stack.some((f) => re.test(f.url));

export function layerOf(stack: Frame[]): Layer | undefined {
  const leaf = stack[0];
  if (!leaf || leaf.functionName === '(idle)') return undefined;
  if (leaf.functionName === '(garbage collector)') return 'garbage collection';
  if (leaf.functionName === 'writev' || leaf.functionName === 'writeUtf8String' || leaf.functionName === 'writeBuffer')
    return 'socket writes (kernel, both directions)';
  if (has(stack, /@azure\/(?!functions)|@typespec|fast-xml|strnum|path-expression/)) return 'storage SDK (pipeline, XML/JSON, signing)';
  if (has(stack, /\/src\/local\/respond\.ts/)) return 'answer written (respond)';
  if (has(stack, /\/src\/local\/|@azure\/functions/)) return 'local Functions host: request (HttpRequest, web stream body, routing)';
  if (has(stack, /\/src\//)) return 'our handler and services (verify, parse, validate, plan, accept, log, metrics)';
  if (has(stack, /\/bench\/minimal-server/)) return 'minimal server handler';
  if (has(stack, /^node:_http_/)) return 'Node HTTP server and client';
  return 'other (microtask queue, timers, streams)';
}
