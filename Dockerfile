# syntax=docker/dockerfile:1
# vigil: the CLI, the GPU exporter (`vigil exporter`) and the rollback trigger (`vigil rollback serve`)
# in one image. Non-root, runs with a read-only root filesystem (writes only to the state volume,
# the render output and $HOME=/tmp, an emptyDir in the generated manifests).
# Not built in CI here (no container runtime on the build machine); test/docker/dockerfile.test.ts
# checks it statically. Pin NODE_IMAGE to a digest in your registry mirror.
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Compile TypeScript to dist/ (all dependencies; no lifecycle scripts: `prepare` would build early).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.types.json ./
COPY src ./src
COPY exporters ./exporters
RUN npx tsc -p tsconfig.build.json

# 2. Production dependencies only; koffi (NVML) and esbuild (tsx, for vigil.config.ts) need their install steps.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild koffi esbuild && npm cache clean --force

# 3. Runtime: dist + production node_modules + the data files vigil reads at run time.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOME=/tmp
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/exporters ./dist/exporters
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY packs ./packs
COPY templates ./templates
RUN chmod 0555 bin/vigil.js && ln -s /app/bin/vigil.js /usr/local/bin/vigil
# 65532: no entry in /etc/passwd, no home, no shell; the manifests run as the same ids.
USER 65532:65532
EXPOSE 9400 9470
ENTRYPOINT ["vigil"]
CMD ["--help"]
