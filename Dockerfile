# Min side: one static binary with the PWA embedded, on an image with no shell, run as non-root.
#   docker build -t minside .
#   docker run --read-only -p 8080:8080 -e MINSIDE_ENV=production … minside
# deploy/compose.yaml runs it with PostgreSQL, two replicas and Caddy; docs/deploy.md explains.

# --- 1. The PWA (Vite) ---
FROM node:20-bookworm-slim AS pwa
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY pwa/ pwa/
RUN npm run build

# --- 2. The binary: pure Go (modernc SQLite, pgx), so CGO is off and the result is static ---
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY backend/ backend/
COPY locales/ locales/
COPY migrations/ migrations/
COPY pwa/ pwa/
COPY --from=pwa /src/pwa/dist/ pwa/dist/
RUN CGO_ENABLED=0 go build -tags pwa -trimpath -ldflags='-s -w' -o /out/minside ./backend/cmd/minside \
 && mkdir -p /out/data

# --- 3. The image: CA certificates and time zones, nothing else ---
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/minside /usr/local/bin/minside
# Dev-mode secrets and the SQLite file live here; with PostgreSQL in production nothing is written,
# so the root filesystem can be mounted read-only (compose: read_only: true).
COPY --from=build --chown=65532:65532 /out/data /var/lib/minside
WORKDIR /var/lib/minside
USER 65532:65532
ENV MINSIDE_ADDR=:8080 \
    MINSIDE_DATA_DIR=/var/lib/minside \
    MINSIDE_DATABASE_URL=sqlite:/var/lib/minside/minside.db
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/minside", "healthcheck", "--path", "/readyz"]
ENTRYPOINT ["/usr/local/bin/minside"]
CMD ["serve"]
