// Copyright 2026 the winipc authors. MIT license.
/**
 * Mailslots: not built yet.
 *
 * This module exports nothing today. It is reserved for mailslots and will be
 * filled by its own issue: mailslots. The shared Win32 core it will stand on
 * (handles, waits, overlapped I/O completion, UTF-16, errors) is in place.
 *
 * @module
 */
export {};
