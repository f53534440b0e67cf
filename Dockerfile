# The panescope CLI (explain, evaluate, merge) as a container image, built from this repository:
#   docker build -t panescope .
#   docker run --rm -v "$PWD/data:/data" panescope evaluate --model /data/m.onnx --images /data/images --out /data/out
# Models and images are not in the image: mount them (deploy/kubernetes/ uses a shared volume at /data).
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
# onnxruntime-node ships its CPU binaries in the npm package; skip its optional CUDA download (.npmrc says
# the same for npm ci).
ENV ONNXRUNTIME_NODE_INSTALL=skip

COPY package.json package-lock.json .npmrc ./
# The CLI runs TypeScript through tsx (a runtime dependency): no build step, no dev dependencies.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY shaders ./shaders
COPY tsconfig.json ./

USER node
ENTRYPOINT ["node", "/app/bin/panescope.mjs"]
CMD ["--help"]
