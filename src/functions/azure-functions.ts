/**
 * @azure/functions is CommonJS; under native ESM its classes are only reachable through the
 * default export (a named import fails at run time even though the types allow it).
 */
import azureFunctions from '@azure/functions';
import type * as AF from '@azure/functions';

export const { app, HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
export type HttpRequest = AF.HttpRequest;
export type HttpResponse = AF.HttpResponse;
export type InvocationContext = AF.InvocationContext;
