// Copyright 2026 the winipc authors. MIT license.
/**
 * Anonymous pipes: not built yet.
 *
 * This module exports nothing today. It is reserved for anonymous pipes and will be
 * filled by its own issue: anonymous pipes and child processes. The shared Win32 core it will stand on
 * (handles, waits, overlapped I/O completion, UTF-16, errors) is in place.
 *
 * @module
 */
export {};
