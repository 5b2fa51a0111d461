// Copyright 2026 the winipc authors. MIT license.
/**
 * The clipboard: not built yet.
 *
 * This module exports nothing today. It is reserved for the clipboard and will be
 * filled by its own a later issue (user32 half). The shared Win32 core it will stand on
 * (handles, waits, overlapped I/O completion, UTF-16, errors) is in place.
 *
 * @module
 */
export {};
