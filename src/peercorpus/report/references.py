"""The References section of a report: full citations of every method the methods text names.

    references(paragraphs)      # ["Dunning, T. (1993). Accurate methods ...", ...], alphabetical

Each entry is found by what the methods text says (an author and year it cites, or the name
of a method or tool it uses), so the list never cites what did not run.
"""

from __future__ import annotations

import re

#: (pattern in the methods text, full citation in APA style)
CITATIONS: tuple[tuple[str, str], ...] = (
    (r"Dunning 1993|log-likelihood|G²",
     "Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence. "
     "Computational Linguistics, 19(1), 61–74."),
    (r"Rayson & Garside 2000",
     "Rayson, P., & Garside, R. (2000). Comparing corpora using frequency profiling. In Proceedings of the "
     "Workshop on Comparing Corpora (ACL 2000) (pp. 1–6). Association for Computational Linguistics."),
    (r"Hardie 2014|log ratio",
     "Hardie, A. (2014). Log Ratio: An informal introduction. ESRC Centre for Corpus Approaches to Social "
     "Science (CASS), Lancaster University. http://cass.lancs.ac.uk/log-ratio-an-informal-introduction/"),
    (r"%DIFF",
     "Gabrielatos, C., & Marchi, A. (2012). Keyness: Appropriate metrics and practical issues. Paper presented "
     "at the CADS International Conference 2012, University of Bologna."),
    (r"Gries'? \(?2008|Gries' DP",
     "Gries, S. Th. (2008). Dispersions and adjusted frequencies in corpora. International Journal of Corpus "
     "Linguistics, 13(4), 403–437."),
    (r"Juilland",
     "Juilland, A., & Chang-Rodríguez, E. (1964). Frequency dictionary of Spanish words. Mouton."),
    (r"Covington & McFall 2010|MATTR",
     "Covington, M. A., & McFall, J. D. (2010). Cutting the Gordian knot: The moving-average type–token ratio "
     "(MATTR). Journal of Quantitative Linguistics, 17(2), 94–100."),
    (r"Flesch",
     "Flesch, R. (1948). A new readability yardstick. Journal of Applied Psychology, 32(3), 221–233."),
    (r"Greene, O'Callaghan & Cunningham 2014",
     "Greene, D., O'Callaghan, D., & Cunningham, P. (2014). How many topics? Stability analysis for topic "
     "models. In Machine Learning and Knowledge Discovery in Databases (ECML PKDD 2014), Lecture Notes in "
     "Computer Science 8724 (pp. 498–513). Springer."),
    (r"Hubert & Arabie 1985|adjusted Rand",
     "Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2(1), 193–218."),
    (r"Brunet et al\.? 2004",
     "Brunet, J.-P., Tamayo, P., Golub, T. R., & Mesirov, J. P. (2004). Metagenes and molecular pattern "
     "discovery using matrix factorization. Proceedings of the National Academy of Sciences, 101(12), "
     "4164–4169."),
    (r"NPMI",
     "Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction. In Proceedings of "
     "the Biennial GSCL Conference 2009 (pp. 31–40). Gunter Narr."),
    (r"non-negative matrix factorisation|\bNMF\b",
     "Lee, D. D., & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix factorization. "
     "Nature, 401(6755), 788–791."),
    (r"NNDSVD",
     "Boutsidis, C., & Gallopoulos, E. (2008). SVD based initialization: A head start for nonnegative matrix "
     "factorization. Pattern Recognition, 41(4), 1350–1362."),
    (r"TF-IDF",
     "Salton, G., & Buckley, C. (1988). Term-weighting approaches in automatic text retrieval. Information "
     "Processing & Management, 24(5), 513–523."),
    (r"latent Dirichlet allocation|\bLDA\b",
     "Blei, D. M., Ng, A. Y., & Jordan, M. I. (2003). Latent Dirichlet allocation. Journal of Machine Learning "
     "Research, 3, 993–1022."),
    (r"Punkt",
     "Kiss, T., & Strunk, J. (2006). Unsupervised multilingual sentence boundary detection. Computational "
     "Linguistics, 32(4), 485–525."),
    (r"Snowball",
     "Porter, M. F. (2001). Snowball: A language for stemming algorithms. https://snowballstem.org/texts/introduction.html"),
    (r"WordNet",
     "Fellbaum, C. (Ed.). (1998). WordNet: An electronic lexical database. MIT Press."),
    (r"NLTK",
     "Bird, S., Klein, E., & Loper, E. (2009). Natural language processing with Python. O'Reilly Media."),
    (r"scikit-learn",
     "Pedregosa, F., Varoquaux, G., Gramfort, A., Michel, V., Thirion, B., Grisel, O., Blondel, M., "
     "Prettenhofer, P., Weiss, R., Dubourg, V., Vanderplas, J., Passos, A., Cournapeau, D., Brucher, M., "
     "Perrot, M., & Duchesnay, É. (2011). Scikit-learn: Machine learning in Python. Journal of Machine Learning "
     "Research, 12, 2825–2830."),
    (r"mutual information|\bMI\b",
     "Church, K. W., & Hanks, P. (1990). Word association norms, mutual information, and lexicography. "
     "Computational Linguistics, 16(1), 22–29."),
    (r"t-score",
     "Church, K., Gale, W., Hanks, P., & Hindle, D. (1991). Using statistics in lexical analysis. In U. Zernik "
     "(Ed.), Lexical acquisition: Exploiting on-line resources to build a lexicon (pp. 115–164). Lawrence Erlbaum."),
    (r"logDice",
     "Rychlý, P. (2008). A lexicographer-friendly association score. In Proceedings of Recent Advances in Slavonic "
     "Natural Language Processing (RASLAN 2008) (pp. 6–9). Masaryk University."),
)

#: An author-year citation in running text: "Dunning 1993", "Rayson & Garside 2000", "Gries' (2008)".
CITED = re.compile(r"([A-Z][\w'’-]+(?:,? (?:&|and) [A-Z][\w'’-]+|, [A-Z][\w'’-]+(?:,? & [A-Z][\w'’-]+)?| et al\.)?)'? \(?((?:19|20)\d\d)\)?")


def references(paragraphs: list[str]) -> list[str]:
    """Full citations for what ``paragraphs`` cite or use, alphabetical, each once."""
    text = "\n".join(paragraphs)
    found = {citation for pattern, citation in CITATIONS if re.search(pattern, text)}
    return sorted(found, key=lambda c: c.lower())


def cited_works(paragraphs: list[str]) -> list[tuple[str, str]]:
    """Every (first author's surname, year) cited in ``paragraphs`` as "Author Year"."""
    return [(authors.split(",")[0].split(" ")[0].rstrip("'’"), year) for authors, year in CITED.findall("\n".join(paragraphs))]
