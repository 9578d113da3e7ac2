# formcheck for batches on a server: Debian bookworm, built and installed with the same
# scripts as on a workstation (scripts/setup.sh --deps, scripts/install.sh).
#   docker build -t formcheck .
#   docker run --rm -v "$PWD:/data" formcheck analyze /data/videos --out /data/results
#   docker run --rm formcheck doctor

# --- build stage: Rust, OpenCV headers, clang (opencv crate bindings), ONNX Runtime from PyPI
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# setup.sh installs the build packages, fetches libonnxruntime.so.1.31.1 into .ort/ and builds;
# install.sh puts the binary and its data under /opt/formcheck.
RUN scripts/setup.sh --deps \
 && scripts/install.sh --prefix /opt/formcheck --bin target/release/formcheck \
 && strip /opt/formcheck/bin/formcheck

# --- runtime stage: only the libraries the binary links, and ffmpeg for the annotated video
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libopencv-core406 libopencv-imgproc406 libopencv-imgcodecs406 \
      libopencv-video406 libopencv-videoio406 ffmpeg \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/formcheck /opt/formcheck
ENV PATH=/opt/formcheck/bin:$PATH
# Run as an unprivileged user; mount the videos and the results folder at /data.
RUN useradd --create-home formcheck
USER formcheck
WORKDIR /data
ENTRYPOINT ["formcheck"]
CMD ["--help"]
