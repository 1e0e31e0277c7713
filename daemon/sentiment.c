/* sentiment.c: being written */
typedef int vigie_sentiment_pending;
