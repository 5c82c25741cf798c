/**
 * How the Kubernetes calls of the image steps (deploying, rolling_back) read in the timeline when
 * they stop: a final answer (invalid, not-found, auth — common.ts isFinal) says it was not retried;
 * one that ran out of retries before the step's deadline keeps its message.
 */
import type { AdapterError } from '../../domain/result.js';
import { describeFailure, isFinal } from './common.js';

export const failureText = (e: AdapterError): string => (isFinal(e) ? describeFailure(e) : e.message);
