// The phone app's service worker: keeps the app's page and files so that it opens with no signal.
// Network first (a new order or a new version arrives whenever there is a connection), the kept copy otherwise.
// Results are not queued here: the page keeps them in IndexedDB and uploads them itself.
"use strict";
const CACHE = "patrol-field-v1";
const SCOPE = new URL(self.registration.scope).pathname;  // "/m/"
const FILES = [SCOPE, "/static/field/app.js", "/static/field/field.css", SCOPE + "manifest.webmanifest",
               "/static/field/icon-192.png", "/static/field/icon-512.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = request.mode === "navigate" && url.pathname === SCOPE;
  if (!page && !FILES.includes(url.pathname)) return;  // the API and everything else: straight to the network
  const key = page ? SCOPE : url.pathname;
  event.respondWith(fetch(request).then((response) => {
    if (response.ok && !response.redirected) {  // never keep the login page in place of the app
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return response;
  }).catch(() => caches.match(key).then((kept) => kept || Response.error())));
});
