// Copyright 2026 the winipc authors. MIT license.
/**
 * Named pipes: not built yet.
 *
 * This module exports nothing today. It is reserved for named pipes and will be
 * filled by its own issue: named pipes, server and client. The shared Win32 core it will stand on
 * (handles, waits, overlapped I/O completion, UTF-16, errors) is in place.
 *
 * @module
 */
export {};
