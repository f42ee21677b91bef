# Appwarden runs its TypeScript through tsx (a runtime dependency), so there is no build stage.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The librdkafka producer (@confluentinc/kafka-javascript) is built from source against Debian's libraries.
RUN apt-get update \
  && apt-get install -y --no-install-recommends gcc g++ make python3 libcurl4-openssl-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev \
  && rm -rf /var/lib/apt/lists/*
RUN CKJS_LINKING=dynamic npm ci --no-audit --no-fund && npm cache clean --force
COPY . .
RUN mkdir -p /var/lib/appwarden && chown node:node /var/lib/appwarden
USER node
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 APPWARDEN_DATA_DIR=/var/lib/appwarden
EXPOSE 8080
# Through its shebang, which gives Node the settings Appwarden runs with (a fixed 64 MB young generation).
CMD ["bin/appwarden.mjs", "start"]
