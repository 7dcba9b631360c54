/**
 * End-to-end tests run on real hosts on a shared 2-core machine: a test that fails is retried once
 * (its first error is logged), so that a transient SSH or apt hiccup does not fail the suite while
 * a real defect still does.
 */
import { jest } from "@jest/globals";

jest.retryTimes(1, { logErrorsBeforeRetry: true });
