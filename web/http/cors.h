// SPDX-License-Identifier: Apache-2.0
// CORS, as AWS endpoints answer it: every response allows any origin and exposes the AWS request
// headers, so that a web app on another origin can call the APIs and play HLS with hls.js.
#pragma once

#include "web/http/http_types.h"

namespace sluice::web {

// Adds Access-Control-Allow-Origin and Access-Control-Expose-Headers to `response`.
void AddCorsHeaders(HttpResponse* response);

// The answer to an OPTIONS preflight: 200, allowed methods, the requested headers echoed back,
// and a Max-Age so browsers cache it.
HttpResponse PreflightResponse(const HttpRequest& request);

}  // namespace sluice::web
