// SPDX-License-Identifier: Apache-2.0
// rtsp_test_server: a tiny RTSP camera for tests (gst-rtsp-server). Serves a live videotestsrc
// encoded as H.264 (x264enc) or H.265 (x265enc) at rtsp://127.0.0.1:PORT/test, one key frame per
// second, prints that URL on stdout once listening, and runs until SIGINT/SIGTERM.
// usage: rtsp_test_server [--port N (0 = free port)] [--codec h264|h265] [--fps N]
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gboolean OnSignal(gpointer loop) {
  g_main_loop_quit((GMainLoop*)loop);
  return G_SOURCE_REMOVE;
}

int main(int argc, char** argv) {
  const char* port = "0";
  const char* codec = "h264";
  int fps = 25;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0) port = argv[i + 1];
    else if (strcmp(argv[i], "--codec") == 0) codec = argv[i + 1];
    else if (strcmp(argv[i], "--fps") == 0) fps = atoi(argv[i + 1]);
  }
  gst_init(NULL, NULL);
  const int h265 = strcmp(codec, "h265") == 0;
  gchar* launch = g_strdup_printf(
      "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=%d/1 "
      "! %s key-int-max=%d ! %s name=pay0 pt=96 config-interval=1 )",
      fps, h265 ? "x265enc tune=zerolatency speed-preset=ultrafast"
                : "x264enc tune=zerolatency speed-preset=ultrafast",
      fps, h265 ? "rtph265pay" : "rtph264pay");

  GMainLoop* loop = g_main_loop_new(NULL, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, port);
  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(factory, launch);
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, "/test", factory);
  g_object_unref(mounts);
  if (gst_rtsp_server_attach(server, NULL) == 0) {
    fprintf(stderr, "rtsp_test_server: cannot listen on port %s\n", port);
    return 1;
  }
  printf("rtsp://127.0.0.1:%d/test\n", gst_rtsp_server_get_bound_port(server));
  fflush(stdout);
  g_unix_signal_add(SIGINT, OnSignal, loop);
  g_unix_signal_add(SIGTERM, OnSignal, loop);
  g_main_loop_run(loop);
  g_object_unref(server);
  g_main_loop_unref(loop);
  g_free(launch);
  return 0;
}
