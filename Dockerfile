# Builds the single relance binary (api, worker, migrate subcommands) into a
# distroless image. Pure Go, no cgo; all data is embedded in the binary.

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0

# Dependencies first, so this layer stays cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
RUN go build -trimpath -ldflags "-s -w" -o /out/relance ./cmd/relance

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/relance /relance
USER nonroot:nonroot
# The API (with its /metrics) on 8080; a worker serves its /metrics on METRICS_ADDR (9090).
EXPOSE 8080 9090
ENTRYPOINT ["/relance"]
CMD ["api"]
