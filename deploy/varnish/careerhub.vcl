# Varnish in front of CareerHub: /etc/varnish/careerhub.vcl, started as
#   varnishd -a 127.0.0.1:6081 -f /etc/varnish/careerhub.vcl -s malloc,1G
# between nginx (TLS; its upstream careerhub_app points here) and gunicorn
# (the backend below). Needs varnish-modules (apt install varnish-modules)
# for xkey. The application sets FRONT_CACHE_URL=varnish://127.0.0.1:6081.
# Tested as written (ports rewritten) by tests/deploy/test_varnish.py.
#
# - Keeps what the application marks for shared caches (s-maxage) and
#   nothing else; pages carry the keys of what they show in `xkey`.
# - Drops pages by key when an app server sends PURGE with an xkey-purge
#   header (frontcache/backends.py), from the addresses in `purgers` only.
# - Past s-maxage, answers with its copy for stale-while-revalidate seconds
#   while it fetches a new one, and for stale-if-error seconds while the
#   application does not answer.
# - Passes the admin, previews, non-GET requests and anyone with a cookie
#   or credentials straight through, as the page cache does
#   (reader/page_keys.py, reader_may_share).
vcl 4.1;

import std;
import xkey;

backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    # A little above gunicorn's timeout (30 s), as nginx's proxy_read_timeout.
    .first_byte_timeout = 35s;
    .between_bytes_timeout = 10s;
    # Sick after two missed answers a second apart: pages are then served
    # from the stale copies at once, without waiting on a dead backend.
    .probe = {
        .request = "HEAD /robots.txt HTTP/1.1"
                   "Host: careerhub.example"
                   "X-Forwarded-Proto: https"
                   "Connection: close";
        .interval = 1s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# The app servers (and the task workers) that may purge.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    unset req.http.x-plain;  # set below, never by the client
    if (req.method == "PURGE") {
        # nginx sets X-Real-IP on everything it passes on: a purge through
        # it came from the internet, whatever client.ip says.
        if (client.ip !~ purgers || req.http.X-Real-IP) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Cookie || req.http.Authorization) {
        return (pass);
    }
    if (req.url ~ "^/admin/" || req.url ~ "^/newsletter/(confirm|unsubscribe|preferences)/") {
        return (pass);
    }
    # Every client that takes gzip gets the one gzipped copy, as stored; a
    # client that does not gets a plain copy of its own (vcl_hash), fetched
    # plain, rather than the gzipped one unzipped on every delivery.
    if (req.http.Accept-Encoding !~ "gzip") {
        set req.http.x-plain = "1";
    }
    if (req.restarts > 0 && req.http.x-revalidate) {
        # Past stale-while-revalidate with a healthy backend: fetch anew.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hash {
    # http:// is answered with a redirect, https:// with the page.
    hash_data(req.http.X-Forwarded-Proto);
    if (req.http.x-plain) {
        hash_data("plain");
    }
}

sub vcl_hit {
    if (obj.ttl >= 0s || !std.healthy(req.backend_hint)) {
        # Fresh, or stale while the application does not answer
        # (stale-if-error: the object's grace).
        return (deliver);
    }
    if (obj.ttl + std.duration(obj.http.x-swr, 0s) > 0s) {
        return (deliver);  # stale-while-revalidate: fetched in the background
    }
    set req.http.x-revalidate = "1";
    return (restart);
}

sub vcl_backend_fetch {
    if (bereq.http.x-plain) {
        # Varnish asks for gzip on every fetch; this copy is for clients
        # that cannot take it.
        unset bereq.http.Accept-Encoding;
        unset bereq.http.x-plain;
    }
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Cache-Control !~ "s-maxage=[1-9]" || beresp.http.Set-Cookie) {
        # Not meant for shared caches: 404s, redirects, private pages.
        set beresp.uncacheable = true;
        set beresp.ttl = 5s;
        return (deliver);
    }
    # ttl comes from s-maxage (Varnish reads it before max-age).
    set beresp.http.x-swr = "0s";
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=\d+") {
        set beresp.http.x-swr = regsub(beresp.http.Cache-Control,
            ".*stale-while-revalidate=(\d+).*", "\1s");
    }
    set beresp.grace = std.duration(beresp.http.x-swr, 0s);
    if (beresp.http.Cache-Control ~ "stale-if-error=\d+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
            ".*stale-if-error=(\d+).*", "\1s"), 0s);
    }
    return (deliver);
}

sub vcl_backend_error {
    # The application did not answer: the same page as templates/503.html,
    # with Retry-After, at once rather than after a hang.
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "60";
    set beresp.http.Cache-Control = "no-store";
    set beresp.status = 503;
    synthetic({"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Back in a moment · CareerHub</title>
  <link rel="stylesheet" href="/static/css/site.css">
</head>
<body>
  <main id="main" class="page">
    <section class="error-page">
      <p class="error-page__code">503</p>
      <h1>We will be back in a moment</h1>
      <p>The site is not answering just now, so this page cannot be shown. Please try again in a minute; if you were sending a form, send it again then.</p>
    </section>
  </main>
</body>
</html>
"});
    return (deliver);
}

sub vcl_deliver {
    # The keys and the stale-while-revalidate note are for this cache only.
    unset resp.http.xkey;
    unset resp.http.x-swr;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
