# Two images from one build:
#   docker build --target product  -t byteair-sync:local .       worker, dashboard, ingest, CLI
#   docker build --target emulator -t byteair-emulator:local .   the emulator (and the demo)
# Each image holds what `npm install` of the packed packages gives a user, so the product
# image carries no emulator file. `product` is the last stage: a plain `docker build .` gives it.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/byteair-sync/package.json packages/byteair-sync/
COPY packages/byteair-emulator/package.json packages/byteair-emulator/
RUN npm ci --no-audit --no-fund
COPY packages/byteair-sync packages/byteair-sync
COPY packages/byteair-emulator packages/byteair-emulator
RUN npx tsc -b packages/byteair-emulator && mkdir -p /packs \
 && npm pack --workspace byteair-sync --workspace byteair-emulator --pack-destination /packs

# What a user's `npm install` of the tarballs gives: /product without the emulator, /emulator with it.
FROM node:20-bookworm-slim AS install
COPY --from=build /packs /packs
RUN for app in product emulator; do mkdir -p /$app && echo '{"private":true}' > /$app/package.json; done \
 && npm install --prefix /product --omit=dev --no-audit --no-fund /packs/byteair-sync-*.tgz \
 && npm install --prefix /emulator --omit=dev --no-audit --no-fund /packs/byteair-sync-*.tgz /packs/byteair-emulator-*.tgz

FROM node:20-bookworm-slim AS emulator
ENV NODE_ENV=production
WORKDIR /app
COPY --from=install /emulator /app
USER node
ENTRYPOINT ["node", "node_modules/byteair-sync/dist/src/cli/bin.js"]
CMD ["emulator", "--host", "0.0.0.0", "--port", "8480"]

FROM node:20-bookworm-slim AS product
ENV NODE_ENV=production
WORKDIR /app
COPY --from=install /product /app
USER node
ENTRYPOINT ["node", "node_modules/byteair-sync/dist/src/cli/bin.js"]
CMD ["--help"]
