// Copyright 2026 the winipc authors. MIT license.
/**
 * Shared memory: not built yet.
 *
 * This module exports nothing today. It is reserved for shared memory and will be
 * filled by its own issue: shared memory and channels. The shared Win32 core it will stand on
 * (handles, waits, overlapped I/O completion, UTF-16, errors) is in place.
 *
 * @module
 */
export {};
