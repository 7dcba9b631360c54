/** HTTP tasks: readiness gates, and the controller-side client other API tasks share. */
export { waitForHttp, type WaitForHttpParams, type WaitForHttpOutput } from "./wait-for-http.js";
export { httpRequest, jsonRequest, type HttpRequestOptions, type HttpResponse, type JsonResponse, type HeaderValue } from "./request.js";
