// Copyright 2026 the winipc authors. MIT license.
//
// copydata_ref.c: the native reference for `deno task bench`, WM_COPYDATA
// section. Measures WM_COPYDATA round trips per second from one process to
// another in plain C, so the Deno numbers can be read against what the
// platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/copydata_ref.exe bench/native/copydata_ref.c
// Run:   copydata_ref.exe [ms]            (ms per measurement, default 1000)
//        copydata_ref.exe send CLASS SIZE COUNT
//        copydata_ref.exe recv CLASS
//
// For each size (64 B, 4 KiB) the parent creates a hidden top-level window of
// class winipc-ref-PID-N on its own thread and starts a copy of itself with
// `send CLASS SIZE COUNT`: the child finds the window with FindWindowW
// (retrying for up to 10 s), then sends COUNT messages of SIZE bytes with
// SendMessageTimeoutW (SMTO_ABORTIFHUNG, 5 s), each waiting for the reply (1),
// and exits. The parent's window procedure copies each message and notes the
// time of the first and the last; the rate is (COUNT - 1) / (last - first).
// A first round of about ms/4 calibrates the count of the measured round.
// `recv CLASS` is such a window alone, for winipc's sender benchmark: it
// prints "ready" and pumps until killed. Prints one JSON object per size on
// stdout, and nothing else there; errors go to stderr with exit status 1.

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARM_GUESS 10000.0
#define WARM_MIN 100
#define MEASURE_MIN 1000

static LARGE_INTEGER freq;
static double first_ms, last_ms;
static DWORD received, expected_size;
static unsigned char copy_buf[65536];
static int bad;

static void die(const char *what) {
  fprintf(stderr, "copydata_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static LRESULT CALLBACK proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  if (msg == WM_COPYDATA) {
    COPYDATASTRUCT *cds = (COPYDATASTRUCT *)lp;
    if (cds->cbData <= sizeof copy_buf) memcpy(copy_buf, cds->lpData, cds->cbData);
    if (expected_size && cds->cbData != expected_size) bad = 1;
    double t = now_ms();
    if (received++ == 0) first_ms = t;
    last_ms = t;
    return 1;
  }
  return DefWindowProcW(hwnd, msg, wp, lp);
}

static HWND make_window(const wchar_t *cls) {
  WNDCLASSEXW wc = {sizeof wc};
  wc.lpfnWndProc = proc;
  wc.hInstance = GetModuleHandleW(NULL);
  wc.lpszClassName = cls;
  if (!RegisterClassExW(&wc)) die("RegisterClassExW");
  HWND hwnd = CreateWindowExW(WS_EX_TOOLWINDOW, cls, L"", 0, 0, 0, 0, 0, NULL, NULL, wc.hInstance,
                              NULL);
  if (!hwnd) die("CreateWindowExW");
  return hwnd;
}

static int send_main(const char *cls_text, DWORD size, DWORD count) {
  wchar_t cls[256];
  MultiByteToWideChar(CP_UTF8, 0, cls_text, -1, cls, 256);
  HWND hwnd = NULL;
  for (DWORD start = GetTickCount(); !hwnd && GetTickCount() - start < 10000; Sleep(1))
    hwnd = FindWindowW(cls, NULL);
  if (!hwnd) die("FindWindowW");
  unsigned char *buf = malloc(size ? size : 1);
  memset(buf, 7, size);
  for (DWORD i = 0; i < count; i++) {
    COPYDATASTRUCT cds = {i, size, buf};
    DWORD_PTR result = 0;
    if (!SendMessageTimeoutW(hwnd, WM_COPYDATA, 0, (LPARAM)&cds, SMTO_ABORTIFHUNG, 5000, &result))
      die("SendMessageTimeoutW");
    if (result != 1) {
      fprintf(stderr, "copydata_ref: reply %lld, expected 1\n", (long long)result);
      return 1;
    }
  }
  return 0;
}

struct watch {
  HANDLE process;
  DWORD thread;
};

static DWORD WINAPI watch_main(LPVOID arg) {
  struct watch *w = arg;
  WaitForSingleObject(w->process, INFINITE);
  PostThreadMessageW(w->thread, WM_QUIT, 0, 0);
  return 0;
}

// One round in the parent: returns messages per second.
static double round_trip(const wchar_t *exe, DWORD size, DWORD count, int serial) {
  char cls_text[128];
  wchar_t cls[128];
  snprintf(cls_text, sizeof cls_text, "winipc-ref-%lu-%d", GetCurrentProcessId(), serial);
  MultiByteToWideChar(CP_UTF8, 0, cls_text, -1, cls, 128);
  HWND hwnd = make_window(cls);
  received = 0;
  expected_size = size;
  wchar_t cmd[MAX_PATH + 256];
  _snwprintf(cmd, MAX_PATH + 256, L"\"%ls\" send %hs %lu %lu", exe, cls_text, (unsigned long)size,
             (unsigned long)count);
  STARTUPINFOW si = {sizeof si};
  PROCESS_INFORMATION pi;
  if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) die("CreateProcessW");
  // Pump this thread's window with GetMessageW until the sender exits (a
  // watcher thread then posts WM_QUIT here).
  struct watch w = {pi.hProcess, GetCurrentThreadId()};
  HANDLE watcher = CreateThread(NULL, 0, watch_main, &w, 0, NULL);
  if (!watcher) die("CreateThread");
  MSG m;
  while (GetMessageW(&m, NULL, 0, 0) > 0) DispatchMessageW(&m);
  WaitForSingleObject(watcher, INFINITE);
  CloseHandle(watcher);
  DWORD code = 1;
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hProcess);
  CloseHandle(pi.hThread);
  DestroyWindow(hwnd);
  UnregisterClassW(cls, GetModuleHandleW(NULL));
  if (code != 0) {
    fprintf(stderr, "copydata_ref: the sender exited with status %lu\n", (unsigned long)code);
    exit(1);
  }
  if (received != count || bad) {
    fprintf(stderr, "copydata_ref: received %lu of %lu messages\n", (unsigned long)received,
            (unsigned long)count);
    exit(1);
  }
  return (count - 1) / ((last_ms - first_ms) / 1000.0);
}

int main(int argc, char **argv) {
  QueryPerformanceFrequency(&freq);
  if (argc >= 5 && strcmp(argv[1], "send") == 0)
    return send_main(argv[2], (DWORD)strtoul(argv[3], NULL, 10), (DWORD)strtoul(argv[4], NULL, 10));
  if (argc >= 3 && strcmp(argv[1], "recv") == 0) {
    wchar_t cls[256];
    MultiByteToWideChar(CP_UTF8, 0, argv[2], -1, cls, 256);
    make_window(cls);
    printf("ready\n");
    fflush(stdout);
    MSG m;
    while (GetMessageW(&m, NULL, 0, 0) > 0) DispatchMessageW(&m);
    return 0;
  }
  double duration = argc >= 2 ? atof(argv[1]) : 1000.0;
  wchar_t exe[MAX_PATH];
  GetModuleFileNameW(NULL, exe, MAX_PATH);
  static const DWORD sizes[] = {64, 4096};
  int serial = 0;
  for (int s = 0; s < 2; s++) {
    DWORD warm_count = (DWORD)(WARM_GUESS * duration / 4000.0);
    if (warm_count < WARM_MIN) warm_count = WARM_MIN;
    double warm = round_trip(exe, sizes[s], warm_count, ++serial);
    DWORD count = (DWORD)(warm * duration / 1000.0);
    if (count < MEASURE_MIN) count = MEASURE_MIN;
    double rate = round_trip(exe, sizes[s], count, ++serial);
    printf("{\"bench\":\"copydata.roundtrip\",\"impl\":\"native\",\"size\":%lu,\"msgs_per_s\":%.0f}\n",
           (unsigned long)sizes[s], rate);
    fflush(stdout);
  }
  return 0;
}
