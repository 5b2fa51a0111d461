// Copyright 2026 the winipc authors. MIT license.
// WM_COPYDATA peer for tests/copydata_test.ts.
//
//   copydata_peer find CLASS|- TITLE|-            prints "found 1" or "found 0" (FindWindowW)
//   copydata_peer send CLASS TAG KIND ARG [TIMEOUT]  KIND text (ARG: hex of UTF-8, sent as UTF-16 + NUL),
//                                                  bytes (ARG bytes, byte i = (i*7+n)&255);
//                                                  prints "reply N" or "error CODE"
//   copydata_peer many CLASS ID COUNT [REPLY]      COUNT messages "ID,i" tag ID<<32|i; "done FAILED"
//                                                  (a reply other than REPLY, default 1, fails)
//   copydata_peer recv CLASS TITLE SLEEPMS         a hidden top-level receiver; prints "ready",
//                                                  then "msg TAG SIZE HEX16" a message (HEX16:
//                                                  up to 16 first bytes, "-" if none, and a sum);
//                                                  sleeps SLEEPMS in the window procedure;
//                                                  exits when stdin closes.
//   copydata_peer first NAME MODE                  plays singleInstance(NAME)'s first instance:
//                                                  owns the mutex Local\winipc.single.NAME and a
//                                                  window of class winipc.SingleInstance.NAME;
//                                                  prints "ready". Its first WM_COPYDATA is
//                                                  refused (reply 0, "refused TEXT"): MODE quit
//                                                  then releases the mutex and ends, as a first
//                                                  instance closing at that moment; MODE busy
//                                                  goes on (a full queue) and answers later ones
//                                                  1 ("msg TEXT"). TEXT: the UTF-16 text, UTF-8.
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static DWORD sleep_ms;
static HWND window;

static HANDLE first_mutex;
static int first_quit, first_refused;

static LRESULT CALLBACK first_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  if (msg == WM_COPYDATA) {
    COPYDATASTRUCT *cds = (COPYDATASTRUCT *)lp;
    char text[1024] = "";
    WideCharToMultiByte(CP_UTF8, 0, cds->lpData, (int)(cds->cbData / 2), text, sizeof text - 1,
                        NULL, NULL);
    if (!first_refused) {
      first_refused = 1;
      printf("refused %s\n", text);
      fflush(stdout);
      if (first_quit) {
        ReleaseMutex(first_mutex);
        CloseHandle(first_mutex);
        DestroyWindow(hwnd);
      }
      return 0;
    }
    printf("msg %s\n", text);
    fflush(stdout);
    return 1;
  }
  if (msg == WM_CLOSE) { DestroyWindow(hwnd); return 0; }
  if (msg == WM_DESTROY) { PostQuitMessage(0); return 0; }
  return DefWindowProcW(hwnd, msg, wp, lp);
}

static LRESULT CALLBACK proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  if (msg == WM_COPYDATA) {
    COPYDATASTRUCT *cds = (COPYDATASTRUCT *)lp;
    const unsigned char *p = cds->lpData;
    unsigned sum = 0;
    for (DWORD i = 0; i < cds->cbData; i++) sum = sum * 31 + p[i];
    printf("msg %llu %lu ", (unsigned long long)cds->dwData, (unsigned long)cds->cbData);
    if (cds->cbData == 0) printf("-");
    for (DWORD i = 0; i < cds->cbData && i < 16; i++) printf("%02x", p[i]);
    printf(" %u\n", sum);
    fflush(stdout);
    if (sleep_ms) Sleep(sleep_ms);
    return 42;
  }
  if (msg == WM_CLOSE) { DestroyWindow(hwnd); return 0; }
  if (msg == WM_DESTROY) { PostQuitMessage(0); return 0; }
  return DefWindowProcW(hwnd, msg, wp, lp);
}

static DWORD WINAPI stdin_watch(LPVOID unused) {
  char buf[64];
  while (fgets(buf, sizeof buf, stdin)) {}
  PostMessageW(window, WM_CLOSE, 0, 0);
  return 0;
}

static wchar_t *wide(const char *s) {
  if (strcmp(s, "-") == 0) return NULL;
  int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  wchar_t *w = malloc(n * sizeof(wchar_t));
  MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
  return w;
}

static int send_one(HWND hwnd, ULONG_PTR tag, const void *data, DWORD size, UINT timeout) {
  COPYDATASTRUCT cds = {tag, size, (PVOID)data};
  DWORD_PTR result = 0;
  if (!SendMessageTimeoutW(hwnd, WM_COPYDATA, 0, (LPARAM)&cds, SMTO_ABORTIFHUNG, timeout, &result)) {
    printf("error %lu\n", GetLastError());
    return 0;
  }
  printf("reply %lld\n", (long long)result);
  return 1;
}

/* A hidden top-level window of class CLS and title TITLE with procedure PROC: prints "ready",
   pumps its messages, and ends when stdin closes (stdin_watch). */
static int run_window(WNDPROC window_proc, const wchar_t *cls, const wchar_t *title) {
  WNDCLASSEXW wc = {sizeof wc};
  wc.lpfnWndProc = window_proc;
  wc.hInstance = GetModuleHandleW(NULL);
  wc.lpszClassName = cls;
  if (!RegisterClassExW(&wc)) { printf("error %lu\n", GetLastError()); return 1; }
  window = CreateWindowExW(WS_EX_TOOLWINDOW, cls, title, 0, 0, 0, 0, 0, NULL, NULL, wc.hInstance,
                           NULL);
  if (!window) { printf("error %lu\n", GetLastError()); return 1; }
  CreateThread(NULL, 0, stdin_watch, NULL, 0, NULL);
  printf("ready\n");
  fflush(stdout);
  MSG m;
  while (GetMessageW(&m, NULL, 0, 0) > 0) {
    TranslateMessage(&m);
    DispatchMessageW(&m);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "find") == 0) {
    printf("found %d\n", FindWindowW(wide(argv[2]), wide(argv[3])) != NULL);
    return 0;
  }
  if (argc >= 6 && strcmp(argv[1], "send") == 0) {
    HWND hwnd = FindWindowW(wide(argv[2]), NULL);
    if (!hwnd) { printf("error notfound\n"); return 1; }
    ULONG_PTR tag = strtoull(argv[3], NULL, 10);
    UINT timeout = argc >= 7 ? (UINT)atoi(argv[6]) : 5000;
    if (strcmp(argv[4], "text") == 0) {
      size_t hl = strlen(argv[5]) / 2;
      char *u = calloc(hl + 1, 1);
      for (size_t i = 0; i < hl; i++) sscanf(argv[5] + 2 * i, "%2hhx", (unsigned char *)&u[i]);
      wchar_t *w = hl ? wide(u) : L"";
      send_one(hwnd, tag, w, (DWORD)((wcslen(w) + 1) * sizeof(wchar_t)), timeout);
    } else {
      DWORD n = (DWORD)atol(argv[5]);
      unsigned char *p = malloc(n ? n : 1);
      for (DWORD i = 0; i < n; i++) p[i] = (unsigned char)((i * 7 + n) & 255);
      send_one(hwnd, tag, n ? p : NULL, n, timeout);
    }
    fflush(stdout);
    return 0;
  }
  if (argc >= 5 && strcmp(argv[1], "many") == 0) {
    HWND hwnd = FindWindowW(wide(argv[2]), NULL);
    if (!hwnd) { printf("error notfound\n"); return 1; }
    unsigned id = (unsigned)atoi(argv[3]), count = (unsigned)atoi(argv[4]), failed = 0;
    DWORD_PTR expected = argc >= 6 ? (DWORD_PTR)atoll(argv[5]) : 1;
    for (unsigned i = 0; i < count; i++) {
      char text[64];
      int n = snprintf(text, sizeof text, "%u,%u", id, i);
      COPYDATASTRUCT cds = {((ULONG_PTR)id << 32) | i, (DWORD)n, text};
      DWORD_PTR result = 0;
      if (!SendMessageTimeoutW(hwnd, WM_COPYDATA, 0, (LPARAM)&cds, SMTO_ABORTIFHUNG, 10000, &result) ||
          result != expected)
        failed++;
    }
    printf("done %u\n", failed);
    fflush(stdout);
    return 0;
  }
  if (argc >= 5 && strcmp(argv[1], "recv") == 0) {
    sleep_ms = (DWORD)atol(argv[4]);
    return run_window(proc, wide(argv[2]), wide(argv[3]));
  }
  if (argc >= 4 && strcmp(argv[1], "first") == 0) {
    first_quit = strcmp(argv[3], "quit") == 0;
    wchar_t mutex_name[512], class_name[512];
    swprintf(mutex_name, 512, L"Local\\winipc.single.%hs", argv[2]);
    swprintf(class_name, 512, L"winipc.SingleInstance.%hs", argv[2]);
    first_mutex = CreateMutexW(NULL, TRUE, mutex_name);
    if (!first_mutex || GetLastError() == ERROR_ALREADY_EXISTS) {
      printf("error mutex %lu\n", GetLastError());
      return 1;
    }
    return run_window(first_proc, class_name, L"");
  }
  fprintf(stderr, "usage: see the comment at the top of copydata_peer.c\n");
  return 2;
}
