# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
NEWEST_VENV := .venv-newest
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
CRANFIELD ?= ../shared/datasets/cranfield
CACM ?= ../shared/datasets/cacm
# CI guard: the nDCG@10 reached on each collection (benchmarks/RESULTS.md) less 0.01.
NDCG_FLOOR ?= 0.400
CACM_NDCG_FLOOR ?= 0.485
# Lucene's anchors in bench-relevance: Anserini's fatjar, from the pyserini wheel (optional).
ANSERINI_JAR := benchmarks/.work/anserini-0.22.1-fatjar.jar

.PHONY: run test test-newest format bench bench-relevance relevance-guard anserini clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

run: $(STAMP)
	$(BIN)/msearch index seeds/
	$(BIN)/msearch query "Collective Security Treaty"

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# The suite again with the newest Python 3 on the machine (pyenv's or python3.N on PATH),
# when there is one newer than $(PYTHON).
test-newest:
	@newest="$$($(PYTHON) .ci/newest-python $(PYTHON))"; \
	if [ -z "$$newest" ]; then \
		echo "test-newest: no Python newer than $$($(PYTHON) --version 2>&1) here: skipped"; \
	else \
		echo "test-newest: the suite with $$($$newest --version)"; \
		$$newest -m venv $(NEWEST_VENV) && \
		$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade pip && \
		$(NEWEST_VENV)/bin/python -m pip install --quiet -e '.[test]' && \
		$(NEWEST_VENV)/bin/python -m pytest -q; \
	fi

# Speed beside stock Whoosh, SQLite FTS5 and sqlite-utils (benchmarks/RESULTS.md), e.g.
# make bench BENCH_ARGS="--large --keep benchmarks/.work/bench" for 100,000 articles.
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/speed.py $(BENCH_ARGS)

# Relevance on Cranfield and CACM beside Lucene, stock Whoosh, SQLite FTS5 and tantivy
# (benchmarks/RESULTS.md). Without Java or the jar, Lucene's rows say "skipped".
bench-relevance: $(BENCH_STAMP)
	-@$(MAKE) --no-print-directory anserini
	$(BIN)/python benchmarks/relevance.py $(CRANFIELD)
	$(BIN)/python benchmarks/relevance.py $(CACM)

# The CI guard: fails if msearch's nDCG@10 falls below the floor on either collection.
relevance-guard: $(TEST_STAMP)
	$(BIN)/python benchmarks/relevance.py $(CRANFIELD) --min-ndcg $(NDCG_FLOOR)
	$(BIN)/python benchmarks/relevance.py $(CACM) --min-ndcg $(CACM_NDCG_FLOOR)

# Anserini 0.22.1 (Lucene 9) out of the pyserini 0.22.1 wheel, 140 MB from PyPI.
anserini: $(ANSERINI_JAR)

$(ANSERINI_JAR):
	mkdir -p $(@D)/pyserini
	$(PYTHON) -m pip download --quiet --no-deps pyserini==0.22.1 -d $(@D)/pyserini
	unzip -q -o -j $(@D)/pyserini/pyserini-0.22.1-py3-none-any.whl \
		pyserini/resources/jars/anserini-0.22.1-fatjar.jar -d $(@D)
	rm -rf $(@D)/pyserini

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(NEWEST_VENV) index/_* index/*.seg index/msearch.* .pytest_cache
