# The README's two commands: `make run` and `make test`. Both install dependencies and build first.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: deps build run test bench fuzz clean

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/sluice serve --listen $(LISTEN) --data $(DATA) $(ARGS)

test: build
	bash scripts/run-tests.sh $(BUILD)

bench: build
	bash bench/run-all.sh $(BUILD)

clean:
	rm -rf $(BUILD)
