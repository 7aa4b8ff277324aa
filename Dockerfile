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
EXPOSE 8080
ENTRYPOINT ["/relance"]
CMD ["api"]
