# The certkeeper container image: one binary, /usr/bin/certkeeper, serving every subcommand
# (controller, webhook, acmesolver, acme, version), run as 65532:65532. Build it with `make image`
# (tools/image.sh), which makes the two base images first: no registry is reachable here, so both
# stages start FROM images made locally by tools/image-base.sh (debootstrap + docker import) and
# passed in as build arguments. See docs/container-image.md.
#
# Needs BuildKit for the ccache mount (tools/image.sh strips the --mount for the classic builder).
ARG BUILDER_IMAGE
ARG RUNTIME_IMAGE

# --- builder: Debian bookworm with the -dev packages preinstalled (no apt step, no network) -------
FROM ${BUILDER_IMAGE} AS builder
ARG JOBS=2
ARG GIT_COMMIT=unknown
ENV CCACHE_DIR=/ccache CCACHE_BASEDIR=/src CCACHE_MAXSIZE=2G CCACHE_COMPILERCHECK=content
COPY . /src
# Only the certkeeper binary, in Release, without the test suites and benchmarks. A warning is
# not fatal here (CK_WERROR=OFF): the dev preset's -Werror build in CI is where warnings fail.
RUN --mount=type=cache,id=certkeeper-image-ccache,target=/ccache \
    set -e; \
    cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCK_WERROR=OFF \
      -DCK_BUILD_TESTS=OFF -DCK_BUILD_BENCH=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DCK_GIT_COMMIT_ID="${GIT_COMMIT}" >/dev/null; \
    cmake --build /build -j "${JOBS}" --target certkeeper; \
    ccache --show-stats; \
    install -D -m 0755 -s /build/cmd/certkeeper/certkeeper /out/usr/bin/certkeeper

# --- runtime: the files of the packages it needs at run time + ca-certificates; no shell -------
FROM ${RUNTIME_IMAGE}
ARG VERSION=unknown
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="certkeeper" \
      org.opencontainers.image.description="Kubernetes certificate controller, cert-manager v1 compatible" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
COPY --from=builder /out/ /
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/certkeeper"]
