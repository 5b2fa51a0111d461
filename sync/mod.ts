// Copyright 2026 the winipc authors. MIT license.
/**
 * Synchronisation objects: not built yet.
 *
 * This module exports nothing today. It is reserved for synchronisation objects and will be
 * filled by its own issue: mutex, semaphore, event, timers, waits. The shared Win32 core it will stand on
 * (handles, waits, overlapped I/O completion, UTF-16, errors) is in place.
 *
 * @module
 */
export {};
